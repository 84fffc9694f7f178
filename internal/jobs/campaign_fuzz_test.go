package jobs

import (
	"bytes"
	"testing"

	"tremplin/internal/platform/errs"
	"tremplin/internal/platform/tabular"
)

// campaignParseTable reads data as one of the campaign's tables and returns
// what the parser made of it, or ok false when the file is not a table.
func campaignParseTable(data []byte, kind int, f *campaignFaults) (sites []campaignSiteEntry, cands []campaignCandidateEntry, excl []campaignExclusionEntry, ok bool) {
	tab, err := tabular.Open(bytes.NewReader(data), int64(len(data)), "table.csv")
	if err != nil {
		return nil, nil, nil, false
	}
	cols, required := [][]campaignColumn{campaignSiteColumns, campaignCandidateColumns, campaignExclusionColumns}[kind],
		[][]string{{"nom", "capacite"}, nil, {"candidat", "site"}}[kind]
	recs, err := readCampaignTable(tab, cols, required, 1000, f)
	if err != nil {
		return nil, nil, nil, false
	}
	switch kind {
	case 0:
		sites = parseCampaignSites(recs, f)
	case 1:
		cands = parseCampaignCandidates(recs, f)
	default:
		excl = parseCampaignExclusions(recs, f)
	}
	return sites, cands, excl, true
}

// checkCampaignPlace fails on a position the parser should have refused.
func checkCampaignPlace(t *testing.T, line int, p campaignPlace) {
	if (p.Lat == nil) != (p.Lon == nil) {
		t.Fatalf("line %d: one coordinate without the other", line)
	}
	if p.Lat != nil && !campaignValidPoint(*p.Lat, *p.Lon) {
		t.Fatalf("line %d: invalid coordinates kept (%v, %v)", line, *p.Lat, *p.Lon)
	}
}

func FuzzCampaignTable(f *testing.F) {
	f.Add([]byte("nom;commune;latitude;longitude;capacite\nCollège Jean Moulin;62041;50,2950;2,7700;2\nCollège;Lens;;;1\n"))
	f.Add([]byte("nom;commune;latitude;longitude\nAlice;Arras;0;0\nBruno;;NaN;Inf\nChloé;62119;91;2\n"))
	f.Add([]byte("personne;nom\n01a24d0b-c4fa-707f-b1b8-37c0d48c257a;\nnot-an-id;X\n"))
	f.Add([]byte("candidat;site\nn°1;2\nAlice;Collège Lens\n;\n"))
	f.Add([]byte("Nom,Capacité,Lat,Lon,Lat\n\"A;B\",1e3,1,2,3\n"))
	f.Add([]byte("\xef\xbb\xbfnom\tcapacite\nA\t3,0\nB\t-1\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		for kind := range 3 {
			faults := &campaignFaults{}
			sites, cands, excl, ok := campaignParseTable(data, kind, faults)
			if !ok {
				continue
			}
			faulty := map[int]bool{}
			for _, r := range faults.rows {
				if r.Line < 1 || r.Message == "" {
					t.Fatalf("a fault names no line or says nothing: %+v", r)
				}
				faulty[r.Line] = true
			}
			if len(faults.rows) > campaignMaxFaults {
				t.Fatalf("%d faults listed", len(faults.rows))
			}
			for _, s := range sites {
				checkCampaignPlace(t, s.Line, s.Place)
				if !faulty[s.Line] && (s.Capacity < 1 || s.Capacity > campaignMaxCapacity || s.Name == "") {
					t.Fatalf("line %d kept without fault: %+v", s.Line, s)
				}
			}
			for _, c := range cands {
				checkCampaignPlace(t, c.Line, c.Place)
				if !faulty[c.Line] && c.Name == "" && c.PersonID == "" {
					t.Fatalf("line %d names no one without fault", c.Line)
				}
			}
			for _, e := range excl {
				if !faulty[e.Line] && (e.Candidate == "" || e.Site == "") {
					t.Fatalf("line %d: half a pair without fault", e.Line)
				}
			}
			err := faults.err()
			if (err == nil) != faults.none() || (err != nil && !errs.Is(err, errs.Invalid)) {
				t.Fatalf("faults and error disagree: %v", err)
			}
			if _, listed := CampaignImportFaults(err); err != nil && !listed {
				t.Fatalf("the faults of a table are listed: %v", err)
			}
		}
	})
}
