package demo

// department names a département: its bare name and the phrase "of the
// département" used in organisation names ("du Pas-de-Calais").
type department struct{ name, of string }

var departments = map[string]department{
	"01": {"Ain", "de l'Ain"}, "02": {"Aisne", "de l'Aisne"}, "03": {"Allier", "de l'Allier"},
	"04": {"Alpes-de-Haute-Provence", "des Alpes-de-Haute-Provence"}, "05": {"Hautes-Alpes", "des Hautes-Alpes"},
	"06": {"Alpes-Maritimes", "des Alpes-Maritimes"}, "07": {"Ardèche", "de l'Ardèche"}, "08": {"Ardennes", "des Ardennes"},
	"09": {"Ariège", "de l'Ariège"}, "10": {"Aube", "de l'Aube"}, "11": {"Aude", "de l'Aude"}, "12": {"Aveyron", "de l'Aveyron"},
	"13": {"Bouches-du-Rhône", "des Bouches-du-Rhône"}, "14": {"Calvados", "du Calvados"}, "15": {"Cantal", "du Cantal"},
	"16": {"Charente", "de la Charente"}, "17": {"Charente-Maritime", "de la Charente-Maritime"}, "18": {"Cher", "du Cher"},
	"19": {"Corrèze", "de la Corrèze"}, "2A": {"Corse-du-Sud", "de la Corse-du-Sud"}, "2B": {"Haute-Corse", "de la Haute-Corse"},
	"21": {"Côte-d'Or", "de la Côte-d'Or"}, "22": {"Côtes-d'Armor", "des Côtes-d'Armor"}, "23": {"Creuse", "de la Creuse"},
	"24": {"Dordogne", "de la Dordogne"}, "25": {"Doubs", "du Doubs"}, "26": {"Drôme", "de la Drôme"}, "27": {"Eure", "de l'Eure"},
	"28": {"Eure-et-Loir", "d'Eure-et-Loir"}, "29": {"Finistère", "du Finistère"}, "30": {"Gard", "du Gard"},
	"31": {"Haute-Garonne", "de la Haute-Garonne"}, "32": {"Gers", "du Gers"}, "33": {"Gironde", "de la Gironde"},
	"34": {"Hérault", "de l'Hérault"}, "35": {"Ille-et-Vilaine", "d'Ille-et-Vilaine"}, "36": {"Indre", "de l'Indre"},
	"37": {"Indre-et-Loire", "d'Indre-et-Loire"}, "38": {"Isère", "de l'Isère"}, "39": {"Jura", "du Jura"},
	"40": {"Landes", "des Landes"}, "41": {"Loir-et-Cher", "de Loir-et-Cher"}, "42": {"Loire", "de la Loire"},
	"43": {"Haute-Loire", "de la Haute-Loire"}, "44": {"Loire-Atlantique", "de la Loire-Atlantique"}, "45": {"Loiret", "du Loiret"},
	"46": {"Lot", "du Lot"}, "47": {"Lot-et-Garonne", "de Lot-et-Garonne"}, "48": {"Lozère", "de la Lozère"},
	"49": {"Maine-et-Loire", "de Maine-et-Loire"}, "50": {"Manche", "de la Manche"}, "51": {"Marne", "de la Marne"},
	"52": {"Haute-Marne", "de la Haute-Marne"}, "53": {"Mayenne", "de la Mayenne"}, "54": {"Meurthe-et-Moselle", "de Meurthe-et-Moselle"},
	"55": {"Meuse", "de la Meuse"}, "56": {"Morbihan", "du Morbihan"}, "57": {"Moselle", "de la Moselle"}, "58": {"Nièvre", "de la Nièvre"},
	"59": {"Nord", "du Nord"}, "60": {"Oise", "de l'Oise"}, "61": {"Orne", "de l'Orne"}, "62": {"Pas-de-Calais", "du Pas-de-Calais"},
	"63": {"Puy-de-Dôme", "du Puy-de-Dôme"}, "64": {"Pyrénées-Atlantiques", "des Pyrénées-Atlantiques"},
	"65": {"Hautes-Pyrénées", "des Hautes-Pyrénées"}, "66": {"Pyrénées-Orientales", "des Pyrénées-Orientales"},
	"67": {"Bas-Rhin", "du Bas-Rhin"}, "68": {"Haut-Rhin", "du Haut-Rhin"}, "69": {"Rhône", "du Rhône"},
	"70": {"Haute-Saône", "de la Haute-Saône"}, "71": {"Saône-et-Loire", "de Saône-et-Loire"}, "72": {"Sarthe", "de la Sarthe"},
	"73": {"Savoie", "de la Savoie"}, "74": {"Haute-Savoie", "de la Haute-Savoie"}, "75": {"Paris", "de Paris"},
	"76": {"Seine-Maritime", "de la Seine-Maritime"}, "77": {"Seine-et-Marne", "de Seine-et-Marne"}, "78": {"Yvelines", "des Yvelines"},
	"79": {"Deux-Sèvres", "des Deux-Sèvres"}, "80": {"Somme", "de la Somme"}, "81": {"Tarn", "du Tarn"},
	"82": {"Tarn-et-Garonne", "de Tarn-et-Garonne"}, "83": {"Var", "du Var"}, "84": {"Vaucluse", "de Vaucluse"},
	"85": {"Vendée", "de la Vendée"}, "86": {"Vienne", "de la Vienne"}, "87": {"Haute-Vienne", "de la Haute-Vienne"},
	"88": {"Vosges", "des Vosges"}, "89": {"Yonne", "de l'Yonne"}, "90": {"Territoire de Belfort", "du Territoire de Belfort"},
	"91": {"Essonne", "de l'Essonne"}, "92": {"Hauts-de-Seine", "des Hauts-de-Seine"}, "93": {"Seine-Saint-Denis", "de la Seine-Saint-Denis"},
	"94": {"Val-de-Marne", "du Val-de-Marne"}, "95": {"Val-d'Oise", "du Val-d'Oise"},
	"971": {"Guadeloupe", "de la Guadeloupe"}, "972": {"Martinique", "de la Martinique"}, "973": {"Guyane", "de la Guyane"},
	"974": {"La Réunion", "de La Réunion"}, "976": {"Mayotte", "de Mayotte"},
}

// pasDeCalaisHubs are the towns of the Pas-de-Calais where the partners sit,
// the prefecture first, by INSEE code: Arras, Lens, Calais, Boulogne-sur-Mer,
// Béthune, Liévin, Hénin-Beaumont, Saint-Omer, Bruay-la-Buissière, Berck,
// Carvin, Avion.
var pasDeCalaisHubs = []string{"62041", "62498", "62193", "62160", "62119", "62510", "62427", "62765", "62178", "62108", "62215", "62065"}

// pasDeCalaisPopulation gives the approximate population, in thousands, of
// the towns of the Pas-de-Calais above 4,000 inhabitants, by INSEE code: it
// weights where demo people live.
var pasDeCalaisPopulation = map[string]float64{
	"62193": 67.5, "62041": 41.7, "62160": 40.0, "62498": 31.5, "62510": 30.7, "62427": 26.0, "62119": 25.5,
	"62178": 21.4, "62065": 17.6, "62215": 17.0, "62108": 14.4, "62765": 14.0, "62643": 13.5, "62413": 12.3,
	"62617": 11.8, "62186": 11.8, "62570": 11.6, "62758": 11.3, "62525": 10.8, "62548": 10.5, "62318": 10.5,
	"62250": 10.4, "62048": 10.4, "62587": 10.1, "62637": 10.0, "62516": 9.9, "62771": 9.9, "62014": 9.8,
	"62040": 9.7, "62126": 9.4, "62667": 9.0, "62473": 8.9, "62895": 8.7, "62724": 8.5, "62907": 8.2,
	"62133": 8.1, "62563": 7.7, "62004": 7.6, "62083": 7.5, "62842": 7.5, "62457": 7.4, "62497": 7.1,
	"62386": 7.0, "62528": 6.8, "62893": 6.8, "62270": 6.6, "62753": 6.4, "62351": 6.4, "62443": 6.2,
	"62274": 5.8, "62035": 5.7, "62397": 5.7, "62555": 5.6, "62624": 5.6, "62263": 5.6, "62194": 5.5,
	"62099": 5.5, "62276": 5.1, "62560": 5.1, "62767": 5.0, "62261": 5.0, "62764": 5.0, "62268": 5.0,
	"62139": 4.8, "62321": 4.6, "62401": 4.5, "62038": 4.3, "62080": 4.1, "62826": 4.1,
}

// birthplace is a place of birth outside the département, as the NIR codes it:
// a département and commune, or 99 and a country.
type birthplace struct{ dept, commune string }

// frenchBirthplaces are towns of other départements where people of the
// north of France were often born: Lille, Roubaix, Tourcoing, Dunkerque,
// Douai, Valenciennes, Amiens, Saint-Quentin, Beauvais, Paris 12e, 14e, 20e.
var frenchBirthplaces = []birthplace{
	{"59", "350"}, {"59", "512"}, {"59", "599"}, {"59", "183"}, {"59", "178"}, {"59", "606"},
	{"80", "021"}, {"02", "691"}, {"60", "057"}, {"75", "112"}, {"75", "114"}, {"75", "120"},
}

// foreignBirthplaces lists INSEE country codes by origin group: the NIR of a
// person born abroad holds 99 and the country.
var foreignBirthplaces = [][]string{
	originGeneral: {"131", "139", "122", "127"}, // Belgium, Portugal, Poland, Italy
	originMaghreb: {"352", "350", "351"},        // Algeria, Morocco, Tunisia
	originAfrica:  {"341", "335", "326", "312"}, // Senegal, Mali, Côte d'Ivoire, DR Congo
	originTurkey:  {"208"},                      // Turkey
	originAsia:    {"243"},                      // Viet Nam
}

// bornAbroadShare is the probability of a birth abroad by origin group.
var bornAbroadShare = []float64{0.03, 0.4, 0.5, 0.4, 0.3}
