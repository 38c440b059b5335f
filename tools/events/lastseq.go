package events

import "context"

// LastSeq is the Seq of the last event stored (0 for an empty store): where
// a live stream starts. Both stores answer it from an index on seq, in one
// query, whatever their size.
func (s *sqliteStore) LastSeq(ctx context.Context) (int64, error) {
	if s.closed.Load() {
		return 0, errClosed
	}
	var n int64
	if err := s.r.QueryRowContext(ctx, "SELECT COALESCE(MAX(seq), 0) FROM events").Scan(&n); err != nil {
		return 0, s.fail("last seq", err)
	}
	return n, nil
}

// LastSeq is the Seq of the last event stored (0 for an empty store).
func (s *pgStore) LastSeq(ctx context.Context) (int64, error) {
	if s.closed.Load() {
		return 0, errClosed
	}
	var n int64
	if err := s.pool.QueryRow(ctx, "SELECT COALESCE(MAX(seq), 0) FROM events").Scan(&n); err != nil {
		return 0, s.fail("last seq", err)
	}
	return n, nil
}
