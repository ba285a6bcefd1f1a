package sqlstore

import "context"

// MigrateTo applies the missing schema versions up to last, to build the
// database of a previous release.
func (s *Store) MigrateTo(ctx context.Context, last int64) error { return s.migrateTo(ctx, last) }

// Numbered turns each ? placeholder into PostgreSQL's $1, $2, ….
var Numbered = numbered
