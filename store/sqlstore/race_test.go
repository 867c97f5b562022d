//go:build race

package sqlstore_test

func init() { raceEnabled = true }
