package eventstest

import (
	"cmp"
	"slices"
	"strconv"
	"strings"

	"github.com/auditlog-go/auditlog/tools/events"
)

// Matches is the suite's own reading of a [events.Query] (scope, filters,
// window, level, text; not the cursor): what a store must return,
// computed in Go over the events the test stored.
func Matches(e *events.Event, q events.Query) bool {
	if !inScope(e, q.Scope) {
		return false
	}
	for _, f := range q.Filters {
		if !filterHolds(e, f) {
			return false
		}
	}
	if !q.Since.IsZero() && e.Time.Before(q.Since) || !q.Until.IsZero() && !e.Time.Before(q.Until) {
		return false
	}
	if q.MinLevel != "" {
		min, _ := events.LevelRank(q.MinLevel)
		if r, _ := events.LevelRank(e.Level); r < min {
			return false
		}
	}
	if q.Text != "" && !strings.Contains(fold(e.Message), fold(q.Text)) {
		return false
	}
	return true
}

func fold(s string) string { return strings.ToLower(strings.ToUpper(s)) }

func inScope(e *events.Event, sc events.Scope) bool {
	return sc.All || e.Project != "" && slices.Contains(sc.Projects, e.Project)
}

// fieldValues are the values of e a filter on field compares with.
func fieldValues(e *events.Event, field string) []string {
	switch field {
	case "level":
		return []string{e.Level}
	case "kind":
		return []string{e.Kind}
	case "service":
		return []string{e.Service}
	case "user":
		return []string{e.UserID, e.UserName}
	case "user_id":
		return []string{e.UserID}
	case "user_name":
		return []string{e.UserName}
	case "project":
		return []string{e.Project}
	case "action":
		return []string{e.Action}
	case "target_type":
		return []string{e.TargetType}
	case "target_id":
		return []string{e.TargetID}
	case "request_id":
		return []string{e.RequestID, e.GlobalRequestID}
	case "global_request_id":
		return []string{e.GlobalRequestID}
	case "outcome":
		return []string{e.Outcome}
	case "status":
		if !e.HasStatus {
			return nil
		}
		return []string{strconv.Itoa(e.Status)}
	case "format":
		return []string{e.Format}
	}
	panic("eventstest: no field " + field)
}

func filterHolds(e *events.Event, f events.Filter) bool {
	hit := false
	for _, v := range fieldValues(e, f.Field) {
		if slices.Contains(f.Values, v) {
			hit = true
		}
	}
	return hit != f.Not
}

// valueOf is what Values groups e by for field ("" when e has none).
func valueOf(e *events.Event, field string) string {
	switch field {
	case "user":
		if e.UserID != "" {
			return e.UserID
		}
		return e.UserName
	case "request_id":
		return e.RequestID
	}
	if vs := fieldValues(e, field); len(vs) > 0 {
		return vs[0]
	}
	return ""
}

// ordered sorts evs by (Time, ID), as a list is.
func ordered(evs []events.Event, desc bool) []events.Event {
	out := slices.Clone(evs)
	slices.SortFunc(out, func(a, b events.Event) int {
		c := a.Time.Compare(b.Time)
		if c == 0 {
			c = cmp.Compare(a.ID, b.ID)
		}
		if desc {
			c = -c
		}
		return c
	})
	return out
}
