package people

import (
	"context"
	"database/sql"
	"time"

	"tremplin/internal/platform/db"
)

// Orientation is a person's current orientation, as the pathway decided it.
type Orientation struct {
	ID, Track, OrgID, OrgName string
	SuggestedTrack, Reason    string
	RightsDate                *time.Time
	DecidedOn                 time.Time
	DeciderName               string
	RequestID                 string
}

// OrientationJSON is an orientation as the API shows it, on a person and in the pathway's endpoints.
type OrientationJSON struct {
	ID               string  `json:"id"`
	Track            string  `json:"track"`
	OrganisationID   string  `json:"organisation_id"`
	OrganisationName string  `json:"organisation_name"`
	SuggestedTrack   string  `json:"suggested_track"`
	Overridden       bool    `json:"overridden"`
	Reason           string  `json:"reason"`
	RightsDate       *string `json:"rights_date"`
	Deadline         *string `json:"deadline"`
	DecidedOn        string  `json:"decided_on"`
	DecidedByName    string  `json:"decided_by_name"`
	RequestID        string  `json:"reorientation_request_id"`
}

// JSON converts an orientation for the API; the deadline is 6 weeks after the rights opened.
func (o Orientation) JSON() *OrientationJSON {
	j := &OrientationJSON{ID: o.ID, Track: o.Track, OrganisationID: o.OrgID, OrganisationName: o.OrgName, SuggestedTrack: o.SuggestedTrack,
		Overridden: o.SuggestedTrack != "" && o.SuggestedTrack != o.Track, Reason: o.Reason, RightsDate: dayString(o.RightsDate),
		DecidedOn: o.DecidedOn.Format(time.DateOnly), DecidedByName: o.DeciderName, RequestID: o.RequestID}
	if o.RightsDate != nil {
		d := o.RightsDate.AddDate(0, 0, 42)
		j.Deadline = dayString(&d)
	}
	return j
}

// orientationChunk bounds the identifiers of one query.
const orientationChunk = 500

// currentOrientations loads the latest orientation of each person, in chunks.
func currentOrientations(ctx context.Context, q db.Querier, ids []string) (map[string]Orientation, error) {
	out := map[string]Orientation{}
	for start := 0; start < len(ids); start += orientationChunk {
		chunk := ids[start:min(start+orientationChunk, len(ids))]
		args := make([]any, len(chunk))
		for i, id := range chunk {
			args[i] = id
		}
		rows, err := q.QueryContext(ctx, `SELECT o.person_id, o.id, o.track, o.organisation_id, org.name, o.suggested_track, o.reason, o.rights_date,
			o.decided_on, u.first_name || ' ' || u.last_name, o.request_id
			FROM orientations o JOIN organisations org ON org.id = o.organisation_id JOIN users u ON u.id = o.decided_by
			WHERE o.person_id IN (`+db.In(1, len(chunk))+`) ORDER BY o.decided_on DESC, o.created_at DESC`, args...)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var personID string
			var o Orientation
			var rights sql.NullTime
			if err := rows.Scan(&personID, &o.ID, &o.Track, &o.OrgID, &o.OrgName, &o.SuggestedTrack, &o.Reason, &rights, &o.DecidedOn, &o.DeciderName, &o.RequestID); err != nil {
				rows.Close()
				return nil, err
			}
			if _, seen := out[personID]; !seen {
				o.RightsDate, o.DecidedOn = dayOf(rights), o.DecidedOn.UTC()
				out[personID] = o
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// withOrientations fills the current orientation of each person of a list.
func withOrientations(ctx context.Context, q db.Querier, list []Person) error {
	ids := make([]string, len(list))
	for i, p := range list {
		ids[i] = p.ID
	}
	byID, err := currentOrientations(ctx, q, ids)
	if err != nil {
		return err
	}
	for i := range list {
		if o, ok := byID[list[i].ID]; ok {
			list[i].Orientation = &o
		}
	}
	return nil
}
