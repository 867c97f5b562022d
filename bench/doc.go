// Package bench compares crmkit's state machines with the state machine
// libraries Go developers reach for, making the same moves in the same
// run. It is a module of its own, so that users of crmkit never download
// the libraries it is compared with.
//
//	cd bench && go test -run '^$' -bench . -benchmem
package bench
