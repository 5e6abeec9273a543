package store

import (
	"context"
	"time"

	"github.com/wujw/ohis/internal/store/dbsqlc"
)

// ApplicationCountByClientIP counts the applications submitted from a client
// address since a moment. The public application form refuses more than a
// few per hour from one address; counting in PostgreSQL makes the limit
// hold across all portal instances.
func (s *Store) ApplicationCountByClientIP(ctx context.Context, clientIP string, since time.Time) (int64, error) {
	n, err := s.q.ApplicationCountByClientIP(ctx, dbsqlc.ApplicationCountByClientIPParams{ClientIp: clientIP, Since: since})
	if err != nil {
		return 0, interpret(err, "counting applications by client address")
	}
	return n, nil
}
