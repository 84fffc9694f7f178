package people

import "tremplin/internal/platform/web"

// Tabs lists the pages of a person's file, marking current ("dossier",
// "diagnostic", "orientation", "parcours", "groupe", "cv", "avis"); every page of the file
// shows them so that the pathway reads as one file across capabilities.
func Tabs(personID, current string) []web.Tab {
	base := "/personnes/" + personID
	tabs := []web.Tab{
		{Key: "dossier", Label: "Dossier", Href: base},
		{Key: "diagnostic", Label: "Diagnostic", Href: base + "/diagnostic"},
		{Key: "orientation", Label: "Orientation et contrat", Href: base + "/orientation"},
		{Key: "parcours", Label: "Plan d'action et étapes", Href: base + "/parcours"},
		{Key: "groupe", Label: "Groupe de suivi", Href: base + "/groupe"},
		{Key: "cv", Label: "CV et candidatures", Href: base + "/cv"},
		{Key: "avis", Label: "Avis", Href: base + "/avis"},
	}
	for i := range tabs {
		tabs[i].Current = tabs[i].Key == current
	}
	return tabs
}
