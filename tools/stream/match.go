package stream

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/auditlog-go/auditlog/tools/events"
)

// matcher is a query compiled for checking events one by one, in memory:
// the same meaning as the store's WHERE (scope, filters, window, minimum
// level, text), held to it by a test against eventstest.Matches.
type matcher struct {
	all      bool
	projects []string
	filters  []filter
	q        events.Query
	minRank  int
	text     string // folded
}

type filter struct {
	field  int
	values []string
	not    bool
}

// Field codes, one per name in events.Fields().
const (
	fLevel = iota
	fKind
	fService
	fUser
	fUserID
	fUserName
	fProject
	fAction
	fTargetType
	fTargetID
	fRequestID
	fGlobalRequestID
	fOutcome
	fStatus
	fFormat
)

var fieldCodes = map[string]int{
	"level": fLevel, "kind": fKind, "service": fService, "user": fUser, "user_id": fUserID,
	"user_name": fUserName, "project": fProject, "action": fAction, "target_type": fTargetType,
	"target_id": fTargetID, "request_id": fRequestID, "global_request_id": fGlobalRequestID,
	"outcome": fOutcome, "status": fStatus, "format": fFormat,
}

func compile(q events.Query) (*matcher, error) {
	m := &matcher{all: q.Scope.All, projects: q.Scope.Projects, q: q, minRank: -1}
	for _, f := range q.Filters {
		code, ok := fieldCodes[f.Field]
		if !ok {
			return nil, fmt.Errorf("%w: no field %q to filter on (%s)", events.ErrInvalid, f.Field, strings.Join(events.Fields(), ", "))
		}
		m.filters = append(m.filters, filter{field: code, values: f.Values, not: f.Not})
	}
	if q.MinLevel != "" {
		r, ok := events.LevelRank(q.MinLevel)
		if !ok {
			return nil, fmt.Errorf("%w: level %q is not one of %s", events.ErrInvalid, q.MinLevel, strings.Join(events.Levels(), ", "))
		}
		m.minRank = r
	}
	m.text = fold(q.Text)
	return m, nil
}

func fold(s string) string { return strings.ToLower(strings.ToUpper(s)) }

func (m *matcher) match(e *events.Event) bool {
	if !m.all && (e.Project == "" || !slices.Contains(m.projects, e.Project)) {
		return false
	}
	if !m.q.Since.IsZero() && e.Time.Before(m.q.Since) || !m.q.Until.IsZero() && !e.Time.Before(m.q.Until) {
		return false
	}
	if m.minRank >= 0 {
		if r, _ := events.LevelRank(e.Level); r < m.minRank {
			return false
		}
	}
	for i := range m.filters {
		if !m.filters[i].holds(e) {
			return false
		}
	}
	if m.text != "" && !strings.Contains(fold(e.Message), m.text) {
		return false
	}
	return true
}

func (f *filter) holds(e *events.Event) bool {
	var a, b string
	two := false
	switch f.field {
	case fLevel:
		a = e.Level
	case fKind:
		a = e.Kind
	case fService:
		a = e.Service
	case fUser:
		a, b, two = e.UserID, e.UserName, true
	case fUserID:
		a = e.UserID
	case fUserName:
		a = e.UserName
	case fProject:
		a = e.Project
	case fAction:
		a = e.Action
	case fTargetType:
		a = e.TargetType
	case fTargetID:
		a = e.TargetID
	case fRequestID:
		a, b, two = e.RequestID, e.GlobalRequestID, true
	case fGlobalRequestID:
		a = e.GlobalRequestID
	case fOutcome:
		a = e.Outcome
	case fStatus:
		if !e.HasStatus {
			return f.not
		}
		a = strconv.Itoa(e.Status)
	case fFormat:
		a = e.Format
	}
	hit := slices.Contains(f.values, a) || two && slices.Contains(f.values, b)
	return hit != f.not
}
