// Package ingest turns log lines into events for the event store
// (tools/events): the reading side of log-serve.
//
// [Line] reads one line: one of our audit lines (checked against schema/,
// log-extract's lifecycle records among them) or an oslo.log
// JSONFormatter line. [Text] makes the event of an oslo.log text record,
// traceback included, as tools/oslolog's Grouper joins it. [Lines] reads
// an NDJSON request body (gzip or not, CRLF or not) for POST /v1/events.
// [Follow] tails files into a store, like tail -F, resuming after a
// restart from the offsets it saves in the store.
//
// Every event keeps its line byte for byte (Raw) and is named by its
// content (events.ContentID), so a line ingested twice, by a client that
// retried or a follower that restarted, is stored once.
//
// Speed. A server must take 50,000 lines a second on two cores, so Line
// is a one-pass walk that allocates the event's strings and nothing else.
// The schema's full validator costs far more than that budget (see
// BenchmarkValidate); Line checks each line with a quick walk that reads
// its rules from the schema and vouches only for what it is sure of, and
// hands everything else to schema.Validate, whose verdict and wording are
// final (see quick.go, and FuzzLine, which holds the two together).
package ingest
