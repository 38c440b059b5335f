// Package logline reads fields out of one JSON log line quickly and renders
// them as text, for the command-line tools (log-format, and the filters they
// share).
//
// A [Fields] set is compiled once from the dotted paths a format string or
// a filter asks for (timestamp, context.request_id, …); [Fields.Extract] then
// walks each line once, skipping what is not asked for, and records where each
// asked-for value lies in the line. Nothing is decoded until it is printed,
// and nothing is allocated per line: at a million lines a run, the walk is the
// whole cost of the tool.
//
// Lines from other writers are understood through aliases ([Aliases]):
// oslo.log's JSON formatter (asctime, levelname, name, traceback, context…)
// and the usual Go loggers (time, level, msg, ts, logger, error, stacktrace)
// map onto the names of our own line, so one format string reads them all.
//
// Values are rendered as `jq -r` renders an interpolated value ([AppendText]):
// strings decoded, numbers in jq's shortest form, objects and arrays as compact
// JSON. That makes our output byte-identical to jq's for the same template,
// which is how the speed benchmark checks that the two do the same job.
package logline
