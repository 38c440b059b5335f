// Package report is log-report's logic: the analyses of the Nova
// audit-logging spec (seed 003) — user demographics, load, exception
// counts, performance — and a post-outage forensics report, computed in
// one pass over audit lines, log-extract's lifecycle records, oslo.log
// JSON and text logs, or log-serve's event store.
//
// Every input becomes a [Record] (see [Reader]): our lines and oslo.log's
// JSON lines are walked once by tools/logline without building a value
// per line; oslo.log text goes through tools/oslolog's Grouper, so a
// traceback stays with its record, and an API access line ("POST …"
// status: 202 … time: 0.24) reads as a served request. A line that is
// none of these is counted and listed with its file and line number, and
// the report goes on.
//
// Bounded memory. Nothing is kept per line. What is kept per key (user,
// route, minute…) is bounded: latency percentiles come from DataDog's
// DDSketch with a relative error of [RelativeAccuracy] (mergeable, so time
// buckets coarsen by merging when a span grows long), distinct counts are
// exact up to [ExactDistinct] values and a HyperLogLog after that (error
// about 0.8%), per-key tables keep at most their limit of keys and say so
// when they dropped the smallest, and time series double their bucket
// width instead of growing past [MaxBuckets]. A report that is not exact
// says which numbers are estimates.
//
// Output: a [Report] is a list of sections, each a table and optionally a
// chart, printed as aligned text (coloured on a terminal), JSON, CSV, or
// one self-contained HTML page whose charts are SVG drawn here.
package report
