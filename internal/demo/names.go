package demo

// The name lists below are ordered roughly from the most to the least common
// within each list: draws favour the head of a list (see pickRanked), which
// gives the uneven frequencies of real registers.

// origin groups surnames and the first names that usually go with them.
type origin int

const (
	originGeneral origin = iota // French (including Flemish and Picard), Polish, Italian, Portuguese, Spanish
	originMaghreb
	originAfrica
	originTurkey
	originAsia
)

// originShares is the probability of each origin, in the order of the constants.
var originShares = []float64{0.855, 0.09, 0.035, 0.01, 0.01}

// surnames holds the family names by origin. The general list mixes the
// names of the Nord–Pas-de-Calais with those of the Polish, Italian,
// Portuguese and Spanish families settled in the mining basin for generations.
var surnames = [][]string{
	originGeneral: {
		"Lefebvre", "Dubois", "Leroy", "Martin", "Lemaire", "Petit", "Dupont", "Caron", "Lefèvre", "Delattre",
		"Bernard", "Duhamel", "Dumont", "Lambert", "Leclercq", "Lecomte", "Vasseur", "Mercier", "Dufour", "Lebrun",
		"Carpentier", "Fournier", "Richard", "Roussel", "Boulanger", "Duquesne", "Deprez", "Leblanc", "Delannoy", "Robert",
		"Thomas", "Moreau", "Simon", "Laurent", "Michel", "Lefort", "Lemoine", "Legrand", "Duval", "Dupuis",
		"Delmotte", "Desmarets", "Hochart", "Lecocq", "Leleu", "Cuvelier", "Poulain", "Marchand", "Cordier", "Wallet",
		"Lesage", "Gosselin", "Bouchez", "Flament", "Lemaître", "Prévost", "Fontaine", "Leclerc", "Dubus", "Lheureux",
		"Bonnet", "Blondel", "Vandenbussche", "Vanhove", "Declercq", "Vandamme", "Deschamps", "Degrave", "Dewaele", "Vermeulen",
		"Verhaeghe", "Verbeke", "Vandevelde", "Tison", "Duriez", "Maillard", "Beugnet", "Bacquet", "Facon", "Gressier",
		"Lagache", "Leprêtre", "Macquet", "Bricout", "Delplace", "Descamps", "Leduc", "Watel", "Sergeant", "Roger",
		"Bertin", "Dumortier", "Devaux", "Lefranc", "Baudry", "Mallet", "Dupré", "Colin", "Lucas", "Henry",
		"Guérin", "Faure", "André", "Girard", "Chevalier", "François", "Rousseau", "Vincent", "Muller", "Morel",
		"Gauthier", "Perrin", "Robin", "Clément", "Morin", "Nicolas", "Mathieu", "Blanc", "Boyer", "Roux",
		"David", "Bertrand", "Gérard", "Renard", "Picard", "Bailly", "Hubert", "Collet", "Leroux", "Denis",
		"Aubert", "Barbier", "Meunier", "Lacroix", "Giraud", "Noël", "Brunet", "Arnaud", "Benoît", "Masson",
		"Huet", "Lévêque", "Carré", "Guillot", "Payen", "Gaillard", "Delcroix", "Carlier", "Hermant", "Lebon",
		"Lecerf", "Tellier", "Hennion", "Devos", "Dewitte", "Dupire", "Vanneste", "Debruyne", "Huyghe", "Deroo",
		"Bultel", "Lequien", "Caudron", "Bocquet", "Lemay", "Lambin", "Théry", "Bourgois", "Cappelle", "Leprince",
		"Duflos", "Fiévet", "Hautecoeur", "Ledoux", "Cousin", "Hanot", "Delcourt", "Courtin", "Demarle", "Lecoq",
		"Wattez", "Lemort", "Parent", "Brasseur", "Delsaux", "Outrebon", "Caudrelier", "Fauquembergue", "Lhomme", "Pruvost",
		"Kowalski", "Nowak", "Wozniak", "Lewandowski", "Kaczmarek", "Wisniewski", "Kaminski", "Zielinski", "Szymanski", "Dabrowski",
		"Mazur", "Krawczyk", "Piotrowski", "Grabowski", "Jankowski", "Wojcik", "Kowalczyk", "Nowicki", "Pawlak", "Michalak",
		"Sobczak", "Majewski", "Kubiak", "Sikora",
		"Rossi", "Russo", "Bianchi", "Esposito", "Romano", "Colombo", "Ricci", "Marino", "Greco", "Bruno",
		"Gallo", "Conti", "Costa", "Giordano", "Mancini",
		"Da Silva", "Dos Santos", "Pereira", "Ferreira", "Rodrigues", "Fernandes", "Gonçalves", "Lopes", "Martins", "Oliveira",
		"Sousa", "Carvalho", "Teixeira", "Almeida",
		"Garcia", "Martinez", "Lopez", "Sanchez", "Gonzalez", "Fernandez", "Perez", "Rodriguez", "Hernandez", "Ruiz",
		"Moreno", "Jimenez",
	},
	originMaghreb: {
		"Benali", "Haddad", "Mansouri", "Bouaziz", "Benaïssa", "Belkacem", "Amrani", "Cherif", "Hamdi", "Khelifi",
		"Saïdi", "Meziane", "Slimani", "Ouali", "Bensalem", "Ziani", "Rahmani", "Bouzid", "Brahimi", "Kaci",
		"Hadjadj", "Lahlou", "Benyahia", "Tahri", "Chaouch", "Mebarki", "Belhadj", "El Amrani", "Aït Ali", "Boukhalfa",
		"Messaoudi", "Djebbar", "Bennani", "El Idrissi", "Zerrouki", "Hamidi", "Taleb", "Guerfi",
	},
	originAfrica: {
		"Diallo", "Traoré", "Diop", "Ndiaye", "Koné", "Camara", "Sow", "Bamba", "Cissé", "Touré",
		"Keïta", "Sylla", "Fofana", "Mukendi", "Kouassi", "Konaté", "Sangaré", "Ba",
	},
	originTurkey: {"Yilmaz", "Kaya", "Demir", "Sahin", "Celik", "Yildiz", "Ozturk", "Aydin", "Arslan", "Dogan"},
	originAsia:   {"Nguyen", "Tran", "Pham", "Hoang", "Huynh", "Vo", "Dang", "Bui", "Truong", "Chen", "Wang", "Lim"},
}

// era splits birth years for first names, whose fashions change quickly.
type era int

const (
	eraBefore1975 era = iota
	era1975To1992
	eraFrom1993
)

func eraOf(year int) era {
	switch {
	case year < 1975:
		return eraBefore1975
	case year < 1993:
		return era1975To1992
	}
	return eraFrom1993
}

// generalFirstNames[sex][era] lists the usual first names of people of that
// sex born in that era; sex 0 is male, 1 female.
var generalFirstNames = [2][3][]string{
	{ // male
		eraBefore1975: {
			"Philippe", "Thierry", "Pascal", "Patrick", "Jean-Pierre", "Alain", "Michel", "Christophe", "Éric", "Dominique",
			"Frédéric", "Didier", "Daniel", "Bernard", "Jean-Luc", "Laurent", "Gérard", "Bruno", "Olivier", "Christian",
			"Serge", "Jean", "Francis", "Gilles", "Jacques", "Joël", "Patrice", "Denis", "Jean-Marc", "Hervé",
			"Marc", "Claude", "Jean-Claude", "Jean-François", "Jean-Michel", "Richard", "Yves", "Guy", "Régis", "Fabrice",
			"Stéphane", "Lionel", "Jean-Paul", "Jean-Louis", "René", "André", "Franck", "Jacky", "José", "Manuel",
			"Antonio", "Roland", "Freddy", "Jean-Marie", "Benoît", "Dany", "Marcel", "Rémi",
		},
		era1975To1992: {
			"Sébastien", "Nicolas", "Julien", "Anthony", "Jérémy", "Mickaël", "David", "Cédric", "Romain", "Maxime",
			"Guillaume", "Mathieu", "Jonathan", "Kévin", "Ludovic", "Grégory", "Damien", "Fabien", "Jérôme", "Yannick",
			"Arnaud", "Vincent", "Alexandre", "Benjamin", "Florian", "Johan", "Steve", "Dylan", "Loïc", "Thomas",
			"Aurélien", "Christopher", "Sylvain", "Jimmy", "Rudy", "Teddy", "Cyril", "Raphaël", "Adrien", "Quentin",
			"Bastien", "Jordan", "Pierre", "Samuel", "Rémy", "Emmanuel", "Gaëtan", "Jessy", "Tony", "Johnny",
			"Mathias", "Jean-Baptiste", "Yohan", "Brice", "Franck", "Stéphane",
		},
		eraFrom1993: {
			"Lucas", "Hugo", "Théo", "Enzo", "Nathan", "Mathis", "Louis", "Clément", "Thomas", "Baptiste",
			"Maxime", "Alexis", "Dylan", "Kylian", "Tom", "Valentin", "Axel", "Corentin", "Antoine", "Paul",
			"Quentin", "Killian", "Noah", "Jules", "Raphaël", "Gabriel", "Arthur", "Léo", "Evan", "Ethan",
			"Mattéo", "Kévin", "Jordan", "Logan", "Allan", "Bryan", "Esteban", "Timothée", "Lenny", "Matthieu",
			"Florian", "Romain", "Benjamin", "Anthony", "Alexandre", "Adrien", "Victor", "Samuel", "Loris", "Nolan",
			"Maël", "Sacha", "Jason", "Kenzo", "Erwan", "Rémi",
		},
	},
	{ // female
		eraBefore1975: {
			"Nathalie", "Isabelle", "Sylvie", "Catherine", "Martine", "Christine", "Françoise", "Valérie", "Sandrine", "Véronique",
			"Patricia", "Brigitte", "Nadine", "Corinne", "Chantal", "Monique", "Marie", "Dominique", "Pascale", "Annie",
			"Béatrice", "Florence", "Laurence", "Évelyne", "Muriel", "Joëlle", "Marie-Christine", "Marie-France", "Danielle", "Jocelyne",
			"Josiane", "Michèle", "Colette", "Fabienne", "Régine", "Agnès", "Claudine", "Ghislaine", "Maryse", "Éliane",
			"Marie-Claude", "Jacqueline", "Carole", "Odile", "Sabine", "Viviane", "Nicole", "Maria", "Rosa", "Gisèle",
			"Mireille", "Thérèse", "Hélène", "Anne", "Cathy", "Marie-Paule", "Marylène",
		},
		era1975To1992: {
			"Stéphanie", "Aurélie", "Céline", "Émilie", "Julie", "Audrey", "Virginie", "Élodie", "Caroline", "Sophie",
			"Mélanie", "Laetitia", "Sabrina", "Jennifer", "Vanessa", "Jessica", "Karine", "Sandra", "Amandine", "Delphine",
			"Séverine", "Marion", "Laura", "Anaïs", "Ophélie", "Cindy", "Angélique", "Alexandra", "Émeline", "Lucie",
			"Charlotte", "Claire", "Anne-Sophie", "Aline", "Coralie", "Estelle", "Magali", "Peggy", "Priscilla", "Aurore",
			"Gaëlle", "Elsa", "Mélissa", "Pauline", "Camille", "Marine", "Amélie", "Cécile", "Laure", "Justine",
			"Déborah", "Cyrielle", "Adeline", "Morgane", "Fanny", "Jenny",
		},
		eraFrom1993: {
			"Manon", "Camille", "Léa", "Chloé", "Emma", "Clara", "Inès", "Sarah", "Océane", "Marine",
			"Laura", "Mathilde", "Justine", "Pauline", "Lucie", "Anaïs", "Jade", "Louise", "Lola", "Maëlle",
			"Margaux", "Romane", "Juliette", "Eva", "Alicia", "Morgane", "Mélissa", "Lisa", "Zoé", "Élise",
			"Axelle", "Noémie", "Charlotte", "Amandine", "Célia", "Lou", "Ambre", "Kimberley", "Cassandra", "Marie",
			"Alice", "Louna", "Maëva", "Coline", "Enola", "Kelly", "Cloé", "Élisa", "Candice", "Salomé",
			"Lilou", "Nina", "Léna", "Elena", "Estelle", "Audrey",
		},
	},
}

// originFirstNames[origin][sex] lists first names given in families of that
// origin, whatever the birth year; nil means the general lists.
var originFirstNames = [][2][]string{
	originMaghreb: {
		{
			"Mohamed", "Karim", "Mehdi", "Rachid", "Nabil", "Sofiane", "Yassine", "Bilal", "Samir", "Farid",
			"Ahmed", "Hamid", "Youssef", "Omar", "Ali", "Mustapha", "Kamel", "Djamel", "Nordine", "Hakim",
			"Brahim", "Saïd", "Yanis", "Rayan", "Ilyes", "Amine", "Walid", "Adam", "Hicham", "Anis",
			"Mourad", "Slimane", "Khaled", "Abdelkader",
		},
		{
			"Fatima", "Nadia", "Samia", "Leïla", "Malika", "Amel", "Yasmina", "Karima", "Naïma", "Rachida",
			"Khadija", "Aïcha", "Myriam", "Sonia", "Farida", "Zohra", "Souad", "Nour", "Inès", "Yasmine",
			"Sarah", "Lina", "Kenza", "Salma", "Meryem", "Houria", "Djamila", "Sabrina", "Dalila", "Hanane",
			"Nawel", "Imane", "Assia", "Hafsa",
		},
	},
	originAfrica: {
		{
			"Mamadou", "Moussa", "Ibrahima", "Oumar", "Amadou", "Boubacar", "Cheikh", "Abdoulaye", "Souleymane", "Issa",
			"Jean-Baptiste", "Christian", "Patrick", "Yannick", "Junior", "Samuel", "Emmanuel", "Aboubakar",
		},
		{
			"Aminata", "Fatoumata", "Mariam", "Awa", "Aïssatou", "Kadiatou", "Coumba", "Ramatoulaye", "Grâce", "Esther",
			"Prisca", "Christelle", "Merveille", "Bintou", "Hawa", "Nafissatou", "Divine", "Josiane",
		},
	},
	originTurkey: {
		{"Mehmet", "Mustafa", "Emre", "Murat", "Hakan", "Ahmet", "Burak", "Yusuf", "Enes", "Kerem", "Serkan", "Hüseyin"},
		{"Elif", "Ayse", "Zeynep", "Fatma", "Merve", "Büsra", "Esra", "Emine", "Hatice", "Derya", "Özlem", "Melek"},
	},
}

// streets are the usual street names of towns of the north of France.
var streets = []string{
	"rue Jean Jaurès", "rue Victor Hugo", "rue de la République", "avenue du Général de Gaulle", "rue Pasteur",
	"rue Émile Zola", "rue Jules Ferry", "rue Gambetta", "rue Roger Salengro", "rue Jean Moulin",
	"rue Anatole France", "rue Voltaire", "rue Paul Bert", "rue Léon Blum", "rue Arthur Lamendin",
	"rue Émile Basly", "rue Raoul Briquet", "rue du 8 Mai 1945", "rue Salvador Allende", "rue Lamartine",
	"rue des Écoles", "rue de l'Église", "place de la Mairie", "rue de la Gare", "rue du Moulin",
	"rue des Tilleuls", "rue des Lilas", "rue des Rosiers", "rue Pierre Brossolette", "rue Henri Barbusse",
	"rue Marcel Cachin", "rue Gabriel Péri", "rue Jean-Baptiste Lebas", "rue Louis Pasteur", "boulevard Faidherbe",
	"rue du Maréchal Foch", "rue de Verdun", "rue Nationale", "rue de Lille", "rue d'Arras",
	"résidence des Acacias", "cité des Fleurs", "allée des Peupliers", "rue Fernand Lefebvre", "rue Casimir Beugnet",
	"chemin des Croix", "rue du Stade", "rue Edouard Vaillant", "rue Pierre Curie", "rue Maurice Thorez",
}
