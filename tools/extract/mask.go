package extract

import (
	"strings"

	"github.com/auditlog-go/auditlog/tools/logline"
)

// maskedPath is a copy of a request path as logged, with the credentials
// its query string carries (?token=…, a URL's password) replaced by
// [REDACTED]: the path becomes a record's route, written to stdout and to
// databases, where no credential may go.
func maskedPath(p string) string {
	if strings.IndexByte(p, '=') < 0 && !strings.Contains(p, "://") && strings.IndexByte(p, ':') < 0 {
		return strings.Clone(p)
	}
	return string(logline.AppendMaskedText(nil, []byte(p), logline.SensitiveName))
}
