// Package state remembers how far log-extract read each file, so that a
// re-run reads only the lines written since and notices when a file was
// rotated or truncated.
//
// The state is a small JSON file (see [State.Save] for its shape) holding,
// per file, its path, inode, size, the offset read up to and the number of
// lines before that offset. For a gzip file the offset is a position in the
// decompressed stream: a re-run decompresses from the start and skips that
// many bytes (gzip cannot seek), which is cheap next to parsing them.
//
// # The order of things
//
// For each input file the command calls [State.Start] before reading, reads
// from the offset it returns, and after each batch of actions has been
// committed to the store calls [State.Commit] with the extractor's safe
// checkpoint and [State.Save]:
//
//	offset, line, reason := st.Start(path, fi)   // "new", "resume", "renamed", "rotated", "truncated"
//	… read from offset; the next line is number line+1 …
//	n, err := store.Write(ctx, batch)             // the batch committed…
//	st.Commit(state.File{Path: path, Inode: …, Size: …, Offset: cp.Offset, Lines: cp.Lines})
//	err = st.Save()                               // …then, and only then, remember it
//
// # When to Commit
//
// Commit an offset only when every action read from the lines before it has
// been written to a store whose batch committed. The extractor holds actions
// back while it waits for evidence (the correlation window) and the command
// holds them in a batch until it is written, so the end of what has been
// read is usually NOT such an offset: the extractor exposes a safe
// checkpoint (the start of the oldest line whose actions are still pending),
// and that is what to commit. Committing too far loses actions for good if
// the run dies: the next run starts after them. Committing too little costs
// nothing but time: the next run reads some lines again, and the database's
// unique key (resource, action, ts) drops the repeats. (JSON lines on stdout
// have no such key; a re-read repeats lines there.)
package state
