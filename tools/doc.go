// Package tools is the home of the logic behind the command-line helpers in
// cmd/ (log-format, log-expand, log-extract, log-serve, log-events,
// log-report), one testable package each, and of what they share. The
// commands' mains stay thin: flags in cmd/<command>, shared flag helpers in
// tools/cli, the work in a package here, errors mapped to exit codes.
//
//   - cli: what every main shares: streams, --color, input flags, usage and
//     error printing, exit codes, the signal context, the progress line
//   - input: the lines the tools read: files, gzip, stdin, --follow, grep prefixes
//   - logline: fields read out of one JSON log line, fast, and their text
//   - logformat: log-format's rendering, filters and oslo.log's convert-json
//   - logexpand: log-expand's expansion, --flatten and --unflatten
//   - oslolog: oslo.log text logs read into records
//   - extract: log-extract's reading of user actions from OpenStack logs;
//     extract/action its record, extract/store where records go,
//     extract/state how far each file was read, extract/extractrun one run
//   - events: log-serve's event store (SQLite or PostgreSQL);
//     events/eventstest the contract every store passes
//   - ingest: log lines turned into events for the store, and --follow
//   - serve: log-serve's HTTP API, tokens, retention and purge
//   - stream: log-serve's live event stream, the hub that hands each stored event to its subscribers
//   - logevents: log-events' client of log-serve and what it prints
//   - report: log-report's analyses and their text, JSON, CSV and HTML;
//     report/browser the HTML page's tests in a real browser
package tools
