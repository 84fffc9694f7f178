package pathway

import (
	"fmt"
	"strings"

	"tremplin/internal/people"
	"tremplin/internal/platform/pdf"
)

// ContractPDF lays out a contract for printing and signature, in French.
func ContractPDF(p people.Person, c Contract) *pdf.Document {
	fr := "02/01/2006"
	d := pdf.New(ContractKindLabel(c.Kind))
	d.Title(ContractKindLabel(c.Kind))
	if c.Kind == ContractEngagement {
		d.Paragraph("Établi en application de l'article L262-35 du code de l'action sociale et des familles, dans sa rédaction issue de la loi n° 2023-1196 du 18 décembre 2023 pour le plein emploi.")
	} else {
		d.Paragraph("Contrat d'engagement réciproque établi en application des articles L262-35 et L262-36 du code de l'action sociale et des familles.")
	}
	d.Space(6)
	d.Heading("Entre")
	d.Field("La personne", p.FirstName+" "+p.LastName)
	if p.BirthDate != nil {
		d.Field("Née le", p.BirthDate.Format(fr))
	}
	if p.CAFMatricule != "" {
		d.Field("Matricule CAF/MSA", p.CAFMatricule)
	}
	d.Field("Et la structure référente", c.OrgName)
	d.Space(6)
	d.Heading("Durée")
	d.Field("Du", c.Start.Format(fr)+" au "+c.End.Format(fr))
	if c.RenewsID != "" {
		d.Paragraph("Ce contrat renouvelle le contrat précédent.")
	}
	if c.Kind == ContractEngagement {
		d.Heading("Activité hebdomadaire")
		d.Paragraph(hoursText(c))
	}
	d.Heading("Plan d'action")
	d.Paragraph(c.ActionPlan)
	if len(c.Objectives) > 0 {
		d.Heading("Objectifs")
		for _, o := range c.Objectives {
			d.Paragraph("• " + ThemeOrPlanLabel(o.Theme) + " : " + o.Title)
		}
	}
	d.Space(6)
	d.Paragraph("La personne s'engage à suivre les actions prévues par ce contrat ; la structure référente s'engage à l'accompagner et à faire le point régulièrement avec elle. Le contrat peut être révisé à la demande de l'une ou l'autre partie.")
	d.Space(12)
	signed := "Fait le ____________________"
	if c.SignedOn != nil {
		signed = "Fait le " + c.SignedOn.Format(fr)
	}
	d.Paragraph(signed)
	d.Space(6)
	d.SignatureBoxes("Signature de la personne", "Signature du référent ("+c.OrgName+")")
	return d
}

func hoursText(c Contract) string {
	hours := strings.TrimSuffix(strings.TrimSuffix(fmt.Sprintf("%.2f", c.WeeklyHours()), "0"), ".0")
	hours = strings.ReplaceAll(strings.TrimSuffix(hours, "."), ".", ",")
	switch c.Adjustment {
	case "dispense":
		return "Dispense d'activité hebdomadaire, motif : " + adjustReasonLabel(c.AdjustReason) + "."
	case "reduite":
		return "Durée réduite à " + hours + " heures par semaine, motif : " + adjustReasonLabel(c.AdjustReason) + "."
	}
	return hours + " heures d'activité par semaine."
}

func adjustReasonLabel(key string) string {
	for _, r := range AdjustmentReasons {
		if r.Key == key {
			return strings.ToLower(r.Label)
		}
	}
	return key
}

// ThemeOrPlanLabel names a theme of the action plan, which adds employment
// and training to the obstacle themes.
func ThemeOrPlanLabel(key string) string {
	switch key {
	case "emploi":
		return "Emploi"
	case "formation":
		return "Formation"
	}
	return ThemeLabel(key)
}
