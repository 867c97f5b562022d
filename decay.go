package crm

import "time"

// Decay is computed in integer fixed point (30 fractional bits), so that
// replaying the same evidence gives the same scores on every machine:
// floating-point results may differ in the last bit between platforms.
const (
	q30  = 1 << 30
	half = q30 / 2
)

// decay fades score toward zero from one time to another: it halves every
// HalfLife, counted in whole business days crossed (midnights in the
// rules' calendar, UTC unless WithCalendar says otherwise), so that
// evidence on the same day does not fade what came before it that day.
func (r *LadderRules) decay(score int64, from, to time.Time) int64 {
	return r.decayDays(score, r.dayNumber(to)-r.dayNumber(from))
}

// decayDays fades score over a number of business days.
func (r *LadderRules) decayDays(score int64, days int64) int64 {
	if days <= 0 || score == 0 {
		return score
	}
	daily := r.dayFactor
	if r.dayFactorHalfL != r.HalfLife || daily == 0 {
		daily = dailyFactor(halfLifeDays(r.HalfLife))
	}
	f := powQ30(daily, int(min(days, maxFadeDays)))
	if score < 0 {
		return -int64((uint64(-score) * f) >> 30)
	}
	return int64((uint64(score) * f) >> 30)
}

// WithCalendar returns the rules counting the days over which scores fade
// in the calendar's time zone: a score fades, and fading moves customers,
// when a business day begins. The CRM sets its own calendar (WithCalendar)
// on the rules it applies and replays with.
func (r LadderRules) WithCalendar(cal Calendar) LadderRules {
	r.calendar = cal
	return r
}

// dayNumber numbers the business day of t in the rules' calendar, from 1
// January 1970: without converting dates, so that counting days is cheap.
func (r *LadderRules) dayNumber(t time.Time) int64 {
	sec := t.Unix()
	if loc := r.calendar.Location; loc != nil && loc != time.UTC {
		_, offset := t.In(loc).Zone()
		sec += int64(offset)
	}
	if sec < 0 {
		return (sec - secondsPerDay + 1) / secondsPerDay
	}
	return sec / secondsPerDay
}

// dayStart is when the business day numbered n begins.
func (r *LadderRules) dayStart(n int64) time.Time {
	utc := time.Unix(n*secondsPerDay, 0).UTC()
	if loc := r.calendar.Location; loc != nil && loc != time.UTC {
		return dateOfDay(n).In(loc)
	}
	return utc
}

const secondsPerDay = 24 * 60 * 60

// halfLifeDays is the half-life in whole days, at least one.
func halfLifeDays(d time.Duration) int { return max(int(d/(24*time.Hour)), 1) }

// dailyFactor returns the smallest x in Q30 whose n-th power is at least
// one half: the factor by which one day fades a score whose half-life is n
// days.
func dailyFactor(n int) uint64 {
	lo, hi := uint64(half), uint64(q30) // the power is increasing in x, and 1 at hi
	for lo < hi {
		mid := (lo + hi) / 2
		if powQ30(mid, n) >= half {
			hi = mid
		} else {
			lo = mid + 1
		}
	}
	return lo
}

// powQ30 raises a Q30 number at most 1 to the power n, rounding each
// product half up.
func powQ30(x uint64, n int) uint64 {
	result := uint64(q30)
	for ; n > 0; n >>= 1 {
		if n&1 == 1 {
			result = (result*x + half) >> 30
		}
		x = (x*x + half) >> 30
	}
	return result
}
