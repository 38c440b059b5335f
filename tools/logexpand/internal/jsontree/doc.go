// Package jsontree is log-expand's parser: JSON and Python literals (the
// dict reprs oslo.log writes in its text lines) read into one flat arena
// of nodes over one byte buffer, the [Tree].
//
// It is apart from the renderer (package logexpand) because the two change
// for different reasons: this part is about what the bytes of a line mean,
// and is held to encoding/json and to Python's own reading by the fuzz
// tests; the renderer is about how a record looks. The arena holds no
// pointers (spans are offsets into Tree.Buf, links are indexes), so a Tree
// is reused from line to line without allocating; that is why its nodes'
// fields are open to the renderer rather than behind methods.
//
// ScanString, the word-at-a-time string scanner, also says what the
// renderer will need to do with a string (flags: escapes, control bytes,
// text that may hold JSON or a credential), so most strings are copied
// without a second look.
package jsontree
