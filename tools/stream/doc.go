// Package stream is log-serve's live event stream: a [Hub] that reads what
// the store has committed, in the order it was stored, and hands each event
// to every [Subscriber] whose query it matches.
//
// The guarantees, and how they are kept:
//
//   - Every event once, in store order. Each stored event has a Seq that
//     only grows, and seqs are committed in order (SQLite has one writer;
//     the PostgreSQL store takes a transaction-scoped advisory lock around
//     each insert). The hub reads Store.Since(last) and fans out in Seq
//     order, so a subscriber that has seen up to Seq n has seen every
//     matching event at or below n.
//   - Resume without gap or duplicate. A subscriber may start after a
//     given Seq (since=…, Last-Event-ID): it replays from the store, then
//     switches to live under the hub's lock, taking from the hub's ring of
//     recent events whatever was fanned out while it replayed.
//   - Slow consumers never stall the hub, and never lose silently. Each
//     subscriber has a bounded buffer; when it is full, the events it
//     misses are counted and the subscriber is told — a [Gap] with the
//     exact count and the Seq to replay from — before the next event it
//     gets.
//   - Several servers. The hub wakes on Notify (this server stored
//     something), on a store's own notifications (PostgreSQL's
//     LISTEN/NOTIFY, carrying the Seq, never the events), and on a slow
//     poll, and always reads the events themselves from the store.
package stream
