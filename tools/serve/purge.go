package serve

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/auditlog-go/auditlog/auditlog"
	"github.com/auditlog-go/auditlog/tools/events"

	"github.com/auditlog-go/auditlog/tools/cli"
)

// ParseAge reads Tacker's purge form, --age COUNT --timeline
// days|hours|minutes, as a duration.
func ParseAge(count int, timeline string) (time.Duration, error) {
	if count <= 0 {
		return 0, fmt.Errorf("--age %d: give a positive count", count)
	}
	var unit time.Duration
	switch strings.ToLower(timeline) {
	case "days", "day", "d":
		unit = 24 * time.Hour
	case "hours", "hour", "h":
		unit = time.Hour
	case "minutes", "minute", "min", "m":
		unit = time.Minute
	default:
		return 0, fmt.Errorf("--timeline %q: want days, hours or minutes", timeline)
	}
	if count > int(100*365*24*time.Hour/unit) {
		return 0, fmt.Errorf("--age %d %s: more than a hundred years", count, timeline)
	}
	return time.Duration(count) * unit, nil
}

// ParseRetention reads --retention: a count and a unit, 90d, 12h, 30m
// (or any Go duration, 1h30m).
func ParseRetention(s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	if d, ok := cli.ParseAgo(s); ok && d > 0 {
		return d, nil
	}
	return 0, fmt.Errorf("--retention %q: want a count and a unit, e.g. 90d, 12h, 30m", s)
}

// PurgeOptions say what [Purge] removes: events older than Age, except
// those any of Keep matches (each a set of filters that all hold, in the
// API's grammar: see [ParseFilters]).
type PurgeOptions struct {
	Age    time.Duration
	Keep   [][]events.Filter
	DryRun bool
	Now    func() time.Time // time.Now when nil
}

// Purge removes what o says from st and writes one audit line on log
// saying what it removed (or, dry, would remove): kind lifecycle, action
// purge, the counts, the cut-off, the time span of the removed events and
// the keep filters; a failed purge is a failure line.
func Purge(ctx context.Context, st events.Store, log *slog.Logger, o PurgeOptions) (events.PurgeResult, error) {
	if o.Age <= 0 {
		return events.PurgeResult{}, errors.New("purge: no age")
	}
	now := time.Now
	if o.Now != nil {
		now = o.Now
	}
	before := now().Add(-o.Age).UTC()
	res, err := st.Purge(ctx, events.Purge{Before: before, Keep: o.Keep, DryRun: o.DryRun})
	if log == nil {
		return res, err
	}
	attrs := []slog.Attr{
		auditlog.KindLifecycle.Attr(), auditlog.Action("purge"), auditlog.Target{Type: "events"}.Attr(),
		slog.String("before", timeString(before)), slog.Bool("dry_run", o.DryRun),
	}
	if len(o.Keep) > 0 {
		keep := make([]string, len(o.Keep))
		for i, g := range o.Keep {
			keep[i] = FiltersString(g)
		}
		attrs = append(attrs, slog.Any("keep", keep))
	}
	if err != nil {
		attrs = append(attrs, slog.String(auditlog.KeyOutcome, "failure"), auditlog.Err(err))
		log.LogAttrs(ctx, slog.LevelError, "purge failed", attrs...)
		return res, err
	}
	attrs = append(attrs, slog.String(auditlog.KeyOutcome, "success"), slog.Int64("removed", res.Removed), slog.Int64("kept", res.Kept))
	if res.Removed > 0 {
		attrs = append(attrs, slog.String("oldest", timeString(res.Oldest)), slog.String("newest", timeString(res.Newest)))
	}
	if len(res.Partitions) > 0 {
		attrs = append(attrs, slog.Any("partitions", res.Partitions))
	}
	verb := "purged"
	if o.DryRun {
		verb = "purge (dry run) would remove"
	}
	log.LogAttrs(ctx, slog.LevelInfo, fmt.Sprintf("%s %d events older than %s", verb, res.Removed, timeString(before)), attrs...)
	return res, nil
}

// FiltersString writes filters back in the API's grammar.
func FiltersString(fs []events.Filter) string {
	parts := make([]string, len(fs))
	for i, f := range fs {
		v := strings.Join(f.Values, ",")
		if f.Not {
			v = "!" + v
		}
		parts[i] = f.Field + "=" + v
	}
	return strings.Join(parts, "&")
}

// Retain purges st of events older than age every interval until ctx is
// done, starting now; each purge writes its line. Errors are logged (on
// the purge line) and the next round tries again.
func Retain(ctx context.Context, st events.Store, log *slog.Logger, age, interval time.Duration, keep [][]events.Filter) {
	if interval <= 0 {
		interval = min(max(age/24, time.Minute), time.Hour)
	}
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		_, _ = Purge(ctx, st, log, PurgeOptions{Age: age, Keep: keep})
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
