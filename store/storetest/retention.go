package storetest

import "testing"

func runRetention(t *testing.T, newStore NewStoreFunc) {}
