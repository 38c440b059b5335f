// Package oslolog reads oslo.log text logs, the format every OpenStack
// service writes (nova-api, nova-compute, glance-api, neutron-server…):
//
//	2015-10-29 10:00:00.123 4567 INFO nova.osapi_compute.wsgi.server [req-… user project - - -] [instance: …] message
//
// [ParseLine] parses one physical line into a [Record]; it is written for
// speed (no regular expressions, one allocation per record line) because
// the logs it reads are large. A [Grouper] joins the lines that belong to
// the record before them, tracebacks and multi-line bodies, and bounds the
// memory a runaway continuation can take.
//
// The forms it reads, all seen in real logs:
//
//   - the timestamp with a '.' or ',' before its fraction, or no fraction;
//     oslo.log writes local time without a zone, so the caller says which
//     [time.Location] it is in;
//   - with or without a process id (devstack screen logs omit it on some
//     lines);
//   - the request context in all its shapes (see [Context]), or none at
//     all, as on the lines of a traceback;
//   - "[instance: <uuid>]" after the context;
//   - Loghub's form, in which each line starts with the name of the file it
//     came from ("nova-api.log.1.2017-05-16_13:53:08 2017-05-16 …").
package oslolog
