package report

import (
	"encoding/csv"
	"encoding/json"
	"io"
	"math"
	"time"
)

// WriteJSON writes the report as one JSON document: the report's fields,
// and each section's rows as objects keyed by column name (numbers as
// numbers, times in RFC 3339), so jq reads it directly.
func WriteJSON(w io.Writer, r *Report, sections []string) error {
	type jsonSection struct {
		*Section
		Rows []map[string]any `json:"rows"`
	}
	type jsonReport struct {
		*Report
		Sections []jsonSection `json:"sections"`
	}
	out := jsonReport{Report: r, Sections: []jsonSection{}}
	for _, s := range r.Sections {
		if !wanted(s, sections) {
			continue
		}
		js := jsonSection{Section: s, Rows: make([]map[string]any, 0, len(s.Rows))}
		for _, row := range s.Rows {
			m := make(map[string]any, len(s.Columns))
			for i, c := range s.Columns {
				if i < len(row) {
					m[c.Name] = jsonValue(row[i])
				}
			}
			js.Rows = append(js.Rows, m)
		}
		out.Sections = append(out.Sections, js)
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}

func jsonValue(v any) any {
	switch x := v.(type) {
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return nil
		}
		return x
	case Dur:
		return float64(x)
	case Pct:
		return float64(x)
	case time.Time:
		if x.IsZero() {
			return nil
		}
		return x.UTC().Format(time.RFC3339Nano)
	}
	return v
}

// WriteCSV writes the sections as CSV: each section a header row and its
// rows, with the section's id as the first column, so one file holds all
// and `grep '^perf,'`-style selection (or --section) picks one table.
func WriteCSV(w io.Writer, r *Report, sections []string) error {
	cw := csv.NewWriter(w)
	for _, s := range r.Sections {
		if !wanted(s, sections) {
			continue
		}
		head := []string{"section"}
		for _, c := range s.Columns {
			head = append(head, c.Name)
		}
		if err := cw.Write(head); err != nil {
			return err
		}
		for _, row := range s.Rows {
			rec := []string{s.ID}
			for i := range s.Columns {
				var v any
				if i < len(row) {
					v = row[i]
				}
				switch x := v.(type) {
				case string:
					rec = append(rec, x)
				case float64:
					rec = append(rec, csvFloat(x))
				case Dur:
					rec = append(rec, csvFloat(float64(x)))
				case Pct:
					rec = append(rec, csvFloat(float64(x)))
				default:
					rec = append(rec, cellText(v, false))
				}
			}
			if err := cw.Write(rec); err != nil {
				return err
			}
		}
	}
	cw.Flush()
	return cw.Error()
}

func csvFloat(x float64) string {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return ""
	}
	b, _ := json.Marshal(x)
	return string(b)
}
