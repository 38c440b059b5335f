//go:build !unix

package input

import "os"

// wakeable returns nil: standard input is read as it is, and a read of a
// silent pipe is interrupted only where Go's file supports deadlines.
func wakeable(*os.File, os.FileInfo) (*os.File, func()) { return nil, nil }
