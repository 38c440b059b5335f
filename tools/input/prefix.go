package input

// SplitPrefix separates grep's prefix from the JSON after it, so a tool can
// print the prefix unchanged before the formatted object. It is exported
// for tests and fuzzing. prefix+rest is always line.
func SplitPrefix(line []byte) (prefix, rest []byte) {
	return nil, line
}
