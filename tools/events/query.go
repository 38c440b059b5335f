package events

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// columns are the stored columns in the order every SELECT reads them
// (see scanEvent).
const columns = "id, seq, time, level, kind, service, user_id, user_name, project, action, " +
	"target_type, target_id, request_id, global_request_id, outcome, status, duration_ms, message, format, raw"

// fieldColumns maps each name of [Fields] to the columns it matches: "user"
// is the user's ID or name, "request_id" the request ID or the global one.
var fieldColumns = map[string][]string{
	"level":             {"level"},
	"kind":              {"kind"},
	"service":           {"service"},
	"user":              {"user_id", "user_name"},
	"user_id":           {"user_id"},
	"user_name":         {"user_name"},
	"project":           {"project"},
	"action":            {"action"},
	"target_type":       {"target_type"},
	"target_id":         {"target_id"},
	"request_id":        {"request_id", "global_request_id"},
	"global_request_id": {"global_request_id"},
	"outcome":           {"outcome"},
	"status":            {"status"},
	"format":            {"format"},
}

// valueColumn is what [Store.Values] groups by for a field: one column,
// the ID for "user" (its name when the line has no ID).
func valueColumn(field string) string {
	switch field {
	case "user":
		return "CASE WHEN user_id <> '' THEN user_id ELSE user_name END"
	case "request_id":
		return "request_id"
	}
	return fieldColumns[field][0]
}

func invalid(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrInvalid}, args...)...)
}

func unknownField(f string) error {
	return invalid("unknown field %q (known: %s)", f, strings.Join(fields, ", "))
}

// CheckQuery reports what is wrong with q, if anything, as the store would
// when asked it: an unknown field, a filter without values, a status that
// is not a number, a level not in [Levels]. The error wraps ErrInvalid and
// names the field and the value.
func CheckQuery(q Query) error {
	b := builder{}
	return b.where(q, nil)
}

// builder writes one SQL statement and its arguments for either dialect:
// placeholders are ? (SQLite) or $n (PostgreSQL), times are integer
// microseconds (SQLite) or timestamptz (PostgreSQL).
type builder struct {
	pg   bool
	sb   strings.Builder
	args []any
	// onlyFilter, when onlyCol is set, narrows q.Filters[onlyFilter] to
	// that one column (a branch of splitList).
	onlyFilter int
	onlyCol    string
	// onlyProject, when set, narrows a scope of several projects to that
	// one (a branch of list).
	onlyProject string
}

func (b *builder) s(parts ...string) *builder {
	for _, p := range parts {
		b.sb.WriteString(p)
	}
	return b
}

// arg adds v and writes its placeholder.
func (b *builder) arg(v any) *builder {
	b.args = append(b.args, v)
	if b.pg {
		b.sb.WriteString("$" + strconv.Itoa(len(b.args)))
	} else {
		b.sb.WriteByte('?')
	}
	return b
}

func (b *builder) timeArg(t time.Time) *builder {
	if b.pg {
		return b.arg(t.UTC().Truncate(time.Microsecond))
	}
	return b.arg(t.UnixMicro())
}

func (b *builder) String() string { return b.sb.String() }

// and starts one more condition of a WHERE clause.
func (b *builder) and(first *bool) {
	if *first {
		b.s(" WHERE ")
		*first = false
	} else {
		b.s(" AND ")
	}
}

// where writes the WHERE clause of q (scope, filters, window, level,
// text), after any conditions already written when first is false. A nil
// first means "check only": nothing is kept.
func (b *builder) where(q Query, first *bool) error {
	if first == nil {
		f := true
		first = &f
	}
	b.and(first)
	b.scopeFor(q)
	for i, f := range q.Filters {
		b.and(first)
		if b.onlyCol != "" && i == b.onlyFilter {
			if err := b.filterOn(f, []string{b.onlyCol}); err != nil {
				return err
			}
			continue
		}
		if err := b.filter(f); err != nil {
			return err
		}
	}
	if !q.Since.IsZero() {
		b.and(first)
		b.s("time >= ").timeArg(q.Since)
	}
	if !q.Until.IsZero() {
		b.and(first)
		b.s("time < ").timeArg(q.Until)
	}
	if q.MinLevel != "" {
		r, ok := LevelRank(q.MinLevel)
		if !ok {
			return invalid("unknown level %q (known: %s)", q.MinLevel, strings.Join(levels, ", "))
		}
		b.and(first)
		b.s("level >= ").arg(r)
	}
	if q.Text != "" {
		b.and(first)
		b.text(q.Text)
	}
	return nil
}

// selective are the fields whose one value names a handful of events (a
// resource, a request): a query on one of them reads its index, whatever
// the scope.
var selective = map[string]bool{"target_id": true, "request_id": true, "global_request_id": true}

// scopeFor writes q's scope. When q also asks for a resource or a
// request, SQLite's planner, which keeps no statistics here, would read
// the project's (project, time, id) index in order and filter, walking
// every event of the project for a resource's three; the unary + takes
// the project column out of its choice.
func (b *builder) scopeFor(q Query) {
	if !b.pg && !q.Scope.All {
		for _, f := range q.Filters {
			if selective[f.Field] && !f.Not {
				b.s("+")
				break
			}
		}
	}
	b.scope(q.Scope)
}

// scope: every project for an admin, else the caller's projects; an
// event without a project is an admin's only, and no project at all sees
// nothing.
func (b *builder) scope(sc Scope) {
	if sc.All {
		b.s("1=1")
		return
	}
	if b.onlyProject != "" {
		b.s("project = ").arg(b.onlyProject)
		return
	}
	ps := make([]string, 0, len(sc.Projects))
	for _, p := range sc.Projects {
		if p != "" {
			ps = append(ps, p)
		}
	}
	switch len(ps) {
	case 0:
		b.s("1=0")
	case 1:
		// "=", so that (project, time, id) is read in order.
		b.s("project = ").arg(ps[0])
	default:
		b.s("project IN (")
		for i, p := range ps {
			if i > 0 {
				b.s(", ")
			}
			b.arg(p)
		}
		b.s(")")
	}
}

// filter writes one filter's condition. It never yields NULL (status is
// NULL when a line has none), so NOT (…) around it, as purge writes, is
// exact.
func (b *builder) filter(f Filter) error {
	cols, ok := fieldColumns[f.Field]
	if !ok {
		return unknownField(f.Field)
	}
	return b.filterOn(f, cols)
}

func (b *builder) filterOn(f Filter, cols []string) error {
	if len(f.Values) == 0 {
		return invalid("filter on %q has no values", f.Field)
	}
	vals := make([]any, len(f.Values))
	for i, v := range f.Values {
		switch f.Field {
		case "level":
			r, ok := LevelRank(v)
			if !ok {
				return invalid("level %q is not one of %s", v, strings.Join(levels, ", "))
			}
			vals[i] = r
		case "status":
			n, err := strconv.Atoi(v)
			if err != nil || n < 0 || n > 999 {
				return invalid("status %q is not a number from 0 to 999", v)
			}
			vals[i] = n
		default:
			vals[i] = v
		}
	}
	if f.Not {
		b.s("NOT ")
	}
	b.s("(")
	for i, c := range cols {
		if i > 0 {
			b.s(" OR ")
		}
		if c == "status" {
			b.s("(status IS NOT NULL AND ")
		}
		if len(vals) == 1 {
			// "=", not "IN (x)": SQLite reads an index in order
			// after an equality, not after an IN.
			b.s(c, " = ").arg(vals[0])
		} else {
			b.s(c, " IN (")
			for j, v := range vals {
				if j > 0 {
					b.s(", ")
				}
				b.arg(v)
			}
			b.s(")")
		}
		if c == "status" {
			b.s(")")
		}
	}
	b.s(")")
	return nil
}

// text is the case-insensitive substring search of Message. PostgreSQL's
// ILIKE folds case by the database's locale; SQLite's LIKE folds ASCII
// only, so a needle with other letters goes through events_fold, a Go
// function registered with the driver that folds both sides.
func (b *builder) text(needle string) {
	if b.pg {
		b.s(`message ILIKE `).arg("%" + escapeLike(needle) + "%").s(` ESCAPE '\'`)
		return
	}
	if isASCII(needle) {
		b.s(`message LIKE `).arg("%" + escapeLike(needle) + "%").s(` ESCAPE '\'`)
		return
	}
	b.s("instr(events_fold(message), ").arg(fold(needle)).s(") > 0")
}

func escapeLike(s string) string {
	if !strings.ContainsAny(s, `%_\`) {
		return s
	}
	var sb strings.Builder
	for _, r := range s {
		if r == '%' || r == '_' || r == '\\' {
			sb.WriteByte('\\')
		}
		sb.WriteRune(r)
	}
	return sb.String()
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// fold is the case folding of the SQLite text search.
func fold(s string) string { return strings.ToLower(strings.ToUpper(s)) }

// clampLimit applies the page size rules: 0 or less is DefaultLimit, more
// than MaxLimit is MaxLimit.
func clampLimit(n int) int {
	switch {
	case n <= 0:
		return DefaultLimit
	case n > MaxLimit:
		return MaxLimit
	}
	return n
}

// list writes List's statement for q, whose cursor, when set, has its
// time: the page after it, one more row than the limit so that Next is
// set only when more follow.
//
// A filter on a field of two columns ("user": ID or name; "request_id":
// the request's or the global one) is an OR that neither SQLite nor
// PostgreSQL reads in order from an index: both gather every match in
// the window, fetch each whole row and sort them, which on a busy user's
// day is thousands of rows for a page of 100. So such a query is split:
// one branch per column, each an ordered index range that stops at the
// page's end, reading keys only; their union sorted and cut to the page;
// and only then the page's rows fetched.
//
// A scope of several projects is split the same way, one branch per
// project, for the same reason: "project IN (…)" is read from the
// (project, time, id) index value by value and then sorted whole.
func (b *builder) list(table string, q Query, limit int) error {
	split := -1
	for i, f := range q.Filters {
		if cols := fieldColumns[f.Field]; len(cols) > 1 && !f.Not {
			split = i
			break
		}
	}
	cols := []string{""}
	if split >= 0 {
		cols = fieldColumns[q.Filters[split].Field]
	}
	projects := []string{""}
	if !q.Scope.All {
		var ps []string
		for _, p := range q.Scope.Projects {
			if p != "" && !slices.Contains(ps, p) {
				ps = append(ps, p)
			}
		}
		if len(ps) > 1 && len(ps)*len(cols) <= maxBranches {
			projects = ps
		}
	}
	if len(cols)*len(projects) == 1 {
		return b.listPlain(table, columns, q, limit)
	}
	dir := " ASC"
	if q.Desc {
		dir = " DESC"
	}
	order := " ORDER BY time" + dir + ", id" + dir
	if b.pg {
		b.s("SELECT ", qualifiedColumns, " FROM ", table, " e JOIN (SELECT seq, time, id FROM (")
	} else {
		b.s("SELECT ", columns, " FROM ", table, " WHERE seq IN (SELECT seq FROM (")
	}
	n := 0
	for _, col := range cols {
		for _, p := range projects {
			if n > 0 {
				b.s(" UNION ")
			}
			b.s("SELECT seq, time, id FROM (")
			b.onlyFilter, b.onlyCol, b.onlyProject = split, col, p
			err := b.listPlain(table, "seq, time, id", q, limit)
			b.onlyCol, b.onlyProject = "", ""
			if err != nil {
				return err
			}
			b.s(") b", strconv.Itoa(n))
			n++
		}
	}
	b.s(") u", order, " LIMIT ").arg(limit + 1)
	if b.pg {
		b.s(") k ON e.time = k.time AND e.id = k.id ORDER BY e.time", dir, ", e.id", dir)
	} else {
		b.s(")", order)
	}
	return nil
}

// maxBranches bounds the split of a list: past it, a scope of many
// projects is left to the planner.
const maxBranches = 32

// qualifiedColumns are columns as read from "events e".
var qualifiedColumns = "e." + strings.ReplaceAll(columns, ", ", ", e.")

func (b *builder) listPlain(table, cols string, q Query, limit int) error {
	b.s("SELECT ", cols, " FROM ", table)
	first := true
	if err := b.where(q, &first); err != nil {
		return err
	}
	dir := "ASC"
	op := ">"
	if q.Desc {
		dir, op = "DESC", "<"
	}
	if !q.After.IsZero() {
		b.and(&first)
		b.s("(time, id) ", op, " (").timeArg(q.After.Time).s(", ").arg(q.After.ID).s(")")
	}
	b.s(" ORDER BY time ", dir, ", id ", dir, " LIMIT ").arg(limit + 1)
	return nil
}

// checkEvents fills in missing IDs and refuses what the columns cannot
// hold.
func checkEvents(evs []Event) error {
	for i := range evs {
		e := &evs[i]
		if e.ID == "" {
			e.ID = ContentID(e.Raw)
		} else if !ValidID(e.ID) {
			return invalid("event %d: id %q is not a content id", i, e.ID)
		}
		if _, ok := LevelRank(e.Level); !ok {
			return invalid("event %d (%s): level %q is not one of %s", i, e.ID, e.Level, strings.Join(levels, ", "))
		}
		if e.Time.IsZero() {
			return invalid("event %d (%s): no time", i, e.ID)
		}
	}
	return nil
}

// levelName is the inverse of LevelRank.
func levelName(r int64) string {
	if r < 0 || int(r) >= len(levels) {
		return ""
	}
	return levels[r]
}

// keep writes "a group of Keep holds" (false when there is none); like
// filter, it never yields NULL.
func (b *builder) keep(groups [][]Filter) error {
	if len(groups) == 0 {
		b.s("1=0")
		return nil
	}
	b.s("(")
	for i, g := range groups {
		if i > 0 {
			b.s(" OR ")
		}
		b.s("(1=1")
		for _, f := range g {
			b.s(" AND ")
			if err := b.filter(f); err != nil {
				return fmt.Errorf("keep %d: %w", i+1, err)
			}
		}
		b.s(")")
	}
	b.s(")")
	return nil
}

// purgeWhere writes the condition of the events p removes: older than
// Before, and no group of Keep holds.
func (b *builder) purgeWhere(p Purge) error {
	if p.Before.IsZero() {
		return invalid("purge: no time before which to remove events")
	}
	b.s(" WHERE time < ").timeArg(p.Before).s(" AND NOT ")
	return b.keep(p.Keep)
}

// values writes Values' statement: the field's distinct non-empty values
// among the events q selects, most frequent first (ties by value).
func (b *builder) values(field, table string, q Query, limit int) error {
	if _, ok := fieldColumns[field]; !ok {
		return unknownField(field)
	}
	col := valueColumn(field)
	sel := col
	if field == "status" || field == "level" {
		sel = "CAST(" + col + " AS TEXT)"
	}
	b.s("SELECT ", sel, " AS v, count(*) AS n FROM ", table)
	first := true
	if err := b.where(q, &first); err != nil {
		return err
	}
	b.and(&first)
	switch field {
	case "status":
		b.s("status IS NOT NULL")
	case "level":
		b.s("level >= 0")
	default:
		b.s(col, " <> ''")
	}
	b.s(" GROUP BY v ORDER BY n DESC, v LIMIT ").arg(clampLimit(limit))
	return nil
}

// valueCount turns a grouped value back into the form filters take.
func valueCount(field, v string, n int64) ValueCount {
	if field == "level" {
		r, _ := strconv.ParseInt(v, 10, 64)
		v = levelName(r)
	}
	return ValueCount{Value: v, Count: n}
}
