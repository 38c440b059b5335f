// Package input reads the lines the command-line tools work on: JSON log
// lines, and the text around them, from files (plain or gzip) or standard
// input, usually at the end of a pipe such as
//
//	grep req-123 api.log | log-format
//	grep -Hn req-123 *.log | log-expand
//
// [Open] returns a [Reader] whose [Reader.Next] hands out one [Line] at a
// time. The text of a line is a slice of the reader's buffer, so reading
// allocates nothing per line; that is what lets the tools stay many times
// faster than jq on large logs.
//
// Because the tools often sit behind grep, each line is split into grep's
// prefix ("api.log:12:") and the JSON after it, and grep's "--" group
// separator is marked, so a tool can format the JSON and still print the
// prefix unchanged. See [SplitPrefix] for the rules.
//
// An input that cannot be read never stops the others: its error is
// reported as a [*SourceError] through [Options.OnError] and [Reader.Err],
// and the next name is read. Lines longer than [Options.MaxLine] arrive in
// pieces (see [Piece]) rather than being held in memory whole, and
// [Options.Follow] keeps reading as files grow, like tail -F.
package input
