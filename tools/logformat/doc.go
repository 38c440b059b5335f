// Package logformat is the logic behind the log-format command: it renders
// JSON log lines — our audit lines, oslo.log's JSONFormatter lines, any
// JSON object per line — through a printf-style template as oslo.log's
// formatters spell them ("%(timestamp)s %(level)s %(message)s", see
// [Compile]), through named presets, or as oslo.log's own convert-json
// would ([ConvertJSON], byte for byte). A [Filter] keeps the lines a
// reader asked for (level, request, time, a field's value) and a summary
// form gives one short coloured line per event. Lines that are not JSON
// pass through, with credentials masked.
//
// It walks each line once with tools/logline, reading only the fields the
// template names, which is what makes it many times faster than jq on the
// same job (bench/cli.sh); [Formatter] ties the pieces together for the
// command.
package logformat
