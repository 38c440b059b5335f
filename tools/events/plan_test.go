package events

import (
	"context"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// TestSQLitePlans holds the list queries the API asks most to the plans
// the benchmarks were measured with: an index read in order, never a scan
// of the table nor a sort of every match.
func TestSQLitePlans(t *testing.T) {
	s, err := Open(context.Background(), filepath.Join(t.TempDir(), "plans.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	r := s.(*sqliteStore).r
	since := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	admin := Scope{All: true}
	for _, c := range []struct {
		name string
		q    Query
		want []string // in the plan
	}{
		{"newest first", Query{Scope: admin, Desc: true}, []string{"events_time"}},
		{"after a cursor", Query{Scope: admin, After: Cursor{Time: since, ID: "x"}}, []string{"events_time ((time,id)>(?,?))"}},
		{"one project", Query{Scope: Scope{Projects: []string{"p1"}}, Desc: true}, []string{"events_project (project=?)"}},
		{"two projects", Query{Scope: Scope{Projects: []string{"p1", "p2"}}, Desc: true},
			[]string{"COVERING INDEX events_project (project=?)"}},
		{"user in a window", Query{Scope: admin, Filters: []Filter{{Field: "user", Values: []string{"u"}}}, Since: since, Until: since.Add(time.Hour), Desc: true},
			[]string{"COVERING INDEX events_user_id (user_id=? AND time>? AND time<?)", "COVERING INDEX events_user_name (user_name=? AND time>? AND time<?)"}},
		{"one request", Query{Scope: admin, Filters: []Filter{{Field: "request_id", Values: []string{"req-1"}}}},
			[]string{"events_request (request_id=?)", "events_global_request (global_request_id=?)"}},
		{"one resource", Query{Scope: Scope{Projects: []string{"p1"}}, Filters: []Filter{{Field: "target_id", Values: []string{"x"}}}},
			[]string{"events_target (target_id=?)"}},
	} {
		b := builder{}
		if err := b.list("events", c.q, 100); err != nil {
			t.Fatal(err)
		}
		rows, err := r.Query("EXPLAIN QUERY PLAN "+b.String(), b.args...)
		if err != nil {
			t.Fatal(err)
		}
		var plan []string
		for rows.Next() {
			var id, parent, unused int
			var detail string
			if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
				t.Fatal(err)
			}
			plan = append(plan, detail)
		}
		rows.Close()
		text := strings.Join(plan, "\n")
		for _, w := range c.want {
			if !strings.Contains(text, w) {
				t.Errorf("%s: the plan does not use %s:\n%s", c.name, w, text)
			}
		}
		if slices.ContainsFunc(plan, func(l string) bool { return strings.HasPrefix(l, "SCAN events") && !strings.Contains(l, "USING") }) {
			t.Errorf("%s: the plan scans the table:\n%s", c.name, text)
		}
		// A plain query's only sort would be of every match.
		if !strings.Contains(text, "UNION") && strings.Contains(text, "USE TEMP B-TREE FOR ORDER BY") && c.name != "one request" && c.name != "one resource" {
			t.Errorf("%s: the plan sorts every match:\n%s", c.name, text)
		}
	}
}
