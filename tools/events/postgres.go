package events

import (
	"context"
	"fmt"
)

func openPostgres(ctx context.Context, dsn string) (Store, error) {
	return nil, fmt.Errorf("events: the PostgreSQL store is not built yet")
}
