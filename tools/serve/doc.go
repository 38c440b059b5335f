// Package serve is log-serve's HTTP API over an event store
// ([events.Store]): it stores NDJSON audit lines and answers questions
// about them, for the owner of the events and for admins only.
//
// # Endpoints
//
//   - POST /v1/events — an NDJSON body (Content-Type application/x-ndjson,
//     or another NDJSON name, application/json, text/plain; gzip by
//     Content-Encoding or by its magic bytes), each line read by
//     ingest.Line (validated against schema/), the good ones stored in
//     batches, each committed before the next is read and all before the
//     answer: {"accepted":N,"duplicates":N,"rejected":N,"errors":[{"line":12,"reason":"…"}]}.
//     200 when every line was stored or already stored; 422 when some were
//     rejected (the others are stored all the same; the first MaxErrors are
//     listed, all are counted); 413 past MaxBodyBytes, 503 with Retry-After
//     when the store is away, both with the counts of what was stored before
//     (sending the whole body again is safe: lines already stored come back
//     as duplicates); 415 for another type or encoding; needs role ingest or
//     admin.
//   - GET /v1/events — filters (see [ParseQuery]), paged by keyset cursors:
//     {"events":[…],"next":"cursor"}, next empty on the last page. Each
//     event carries its columns and, under "line", the line itself: the JSON
//     object as it was sent, byte for byte, or a string for a text record
//     (line_base64 for bytes that are not UTF-8).
//   - GET /v1/events/{id} — one event; 404 when absent or not the
//     caller's (the same answer, so an id says nothing of other projects).
//   - GET /v1/requests/{request_id} — every event of one request (its own
//     or its global request id), across services, in time order.
//   - GET /v1/attributes/{name} — the distinct values of a field with
//     their counts, most frequent first, narrowed by the same filters.
//
// # Parameters
//
// Ours and Tacker's (seed 002): target_id/resource_id,
// target_type/resource_type, action/event_type, outcome/resource_state,
// status, since/start-time, until/end-time, after/index, limit/count, user,
// user_id, user_name, project, request_id, global_request_id, service,
// kind, format, level, q and sort. A value may be a comma-separated list
// (any of them) and a ! prefix negates it (none of them); a filter given
// twice must hold both times. Tacker's status is a resource state; ours is
// the HTTP status or gRPC code, so status= takes numbers as that and
// words as an outcome, and resource_state= is the outcome, with Tacker's
// ACTIVE read as success and ERROR as failure. level= is a minimum; a list
// or a negation is exact. An unknown parameter is a 400, as is any value
// a parameter cannot take: the body names the parameter and the forms it
// accepts. Bad input never makes a 500.
//
// # Who may read
//
// A caller is known by a token ([Tokens]: Authorization: Bearer or
// X-Auth-Token, kept hashed) or, behind a trusted proxy only, by the
// identity headers ([Auth]). Without either: 401 with WWW-Authenticate.
// Each caller sees its project's events; the admin role sees all.
//
// # The server's own audit trail
//
// Every request is a line (httpaudit, with the caller as user, never the
// token), every read another saying what was asked and how much came back,
// every purge one saying what it removed ([Purge]).
package serve
