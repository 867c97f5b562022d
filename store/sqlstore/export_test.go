package sqlstore

// IsTransient and IsUniqueViolation let the external tests ask how the
// dialect classifies a driver's own error.
func (d Dialect) IsTransient(err error) bool { return d.isTransient(err) }

func (d Dialect) IsUniqueViolation(err error) bool { return d.isUniqueViolation(err) }
