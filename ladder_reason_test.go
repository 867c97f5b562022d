package crm_test

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/crmkit/crm"
	"github.com/stretchr/testify/require"
)

// TestAppendApplyReasons is a property test over random histories:
// AppendApply makes the moves Apply makes, its reasons kept structured;
// written out (ReasonText, Why().String(), AppendText, the JSON), they
// read exactly as Apply's, and the JSON of the moves is byte for byte
// the same.
func TestAppendApplyReasons(t *testing.T) {
	r := crm.DefaultLadderRules()
	rng := rand.New(rand.NewPCG(5, 3))
	var buf []crm.LadderMove
	for run := range 200 {
		evidence := randomEvidence(rng, 1+rng.IntN(40))
		for i := range evidence {
			if rng.IntN(3) == 0 {
				evidence[i].Touchpoint, evidence[i].Note = "branch", "order 7"
			}
		}
		st := crm.LadderState{Stage: crm.Indifferent, Since: start, UpdatedAt: start}
		for _, ev := range evidence {
			want, wantMoves, err := r.Apply(st, ev)
			require.NoError(t, err)
			got, gotMoves, err := r.AppendApply(buf[:0], st, ev)
			require.NoError(t, err)
			require.Equal(t, want, got, "run %d: the same state", run)
			require.Len(t, gotMoves, len(wantMoves))
			for i, m := range gotMoves {
				require.Empty(t, m.Reason, "the reason stays structured")
				require.False(t, m.Why().IsZero())
				require.True(t, wantMoves[i].Why().IsZero(), "Apply's moves hold their reason as text")
				require.Equal(t, wantMoves[i].Reason, m.ReasonText())
				require.Equal(t, wantMoves[i].Reason, m.Why().String())
				text, err := m.Why().AppendText([]byte("> "))
				require.NoError(t, err)
				require.Equal(t, "> "+wantMoves[i].Reason, string(text))
				if m.Evidence.Kind != crm.EvidenceFading && m.Event != crm.WinBack {
					require.NotEmpty(t, m.Why().Terms(), "%s", wantMoves[i].Reason)
				}
			}
			wantJSON, err := json.Marshal(append([]crm.LadderMove{}, wantMoves...))
			require.NoError(t, err)
			gotJSON, err := json.Marshal(append([]crm.LadderMove{}, gotMoves...))
			require.NoError(t, err)
			require.Equal(t, string(wantJSON), string(gotJSON))
			st, buf = got, gotMoves
		}
	}
}

// TestLadderReasonTerms checks the terms a move's reason reports.
func TestLadderReasonTerms(t *testing.T) {
	r := crm.DefaultLadderRules()
	st, _ := r.Fade(crm.LadderState{Stage: crm.Satisfied, Score: 20000, Purchases: 1, UpdatedAt: start}, start)
	nps := 3
	_, moves, err := r.AppendApply(nil, st, crm.Evidence{Kind: crm.EvidenceExperience, At: at(1), Sentiment: crm.Negative,
		Survey: crm.Survey{NPS: &nps}, Transfers: 3, Touchpoint: "hotline", Weight: 50, Source: crm.KindInteraction})
	require.NoError(t, err)
	require.Len(t, moves, 1)
	require.Equal(t, []crm.LadderTerm{{Term: "sentiment", Value: -1, Points: -8000}, {Term: "nps_detractor", Value: 3, Points: -12000},
		{Term: "unresolved", Points: -4000}, {Term: "transfers", Value: 3, Points: -12000}}, moves[0].Why().Terms())
	require.Equal(t, "experience at hotline: sentiment -1 -8, NPS 3 (detractor) -12, not resolved -4, 3 transfers -12 (weight 50%)",
		moves[0].ReasonText())
	text, err := moves[0].Why().MarshalText()
	require.NoError(t, err)
	require.Equal(t, moves[0].ReasonText(), string(text))
	require.True(t, crm.LadderMove{Reason: "stored"}.Why().IsZero())
	require.Equal(t, "stored", crm.LadderMove{Reason: "stored"}.ReasonText())
	require.Empty(t, crm.LadderReason{}.String())
}

// ExampleLadderRules_AppendApply weighs contacts into a slice reused
// from one to the next: the moves keep their reasons structured, and the
// words are written only when asked for or encoded.
func ExampleLadderRules_AppendApply() {
	r := crm.DefaultLadderRules()
	st := crm.LadderState{Stage: crm.Satisfied, Score: 20_000, Purchases: 1, UpdatedAt: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)}
	moves := make([]crm.LadderMove, 0, 4)
	for _, s := range []crm.Sentiment{crm.Positive, crm.Negative} {
		var err error
		st, moves, err = r.AppendApply(moves[:0], st, crm.Evidence{Kind: crm.EvidenceExperience, At: st.UpdatedAt.Add(24 * time.Hour),
			Sentiment: s, Transfers: 3, Source: crm.KindInteraction})
		if err != nil {
			fmt.Println(err)
			return
		}
		for _, m := range moves {
			fmt.Println(m.From, "->", m.To, "|", m.ReasonText())
			for _, term := range m.Why().Terms() {
				fmt.Printf("  %s %d: %+d\n", term.Term, term.Value, term.Points/1000)
			}
		}
	}
	fmt.Println(st.Stage, st.Score/1000)
	// Output:
	// satisfied -> indifferent | experience: sentiment -1 -8, not resolved -4, 3 transfers -12
	//   sentiment -1: -8
	//   unresolved 0: -4
	//   transfers 3: -12
	// indifferent -12
}

// BenchmarkLadderApplyAppend is BenchmarkLadderApply through AppendApply
// with a slice reused from one piece of evidence to the next.
func BenchmarkLadderApplyAppend(b *testing.B) {
	r := crm.DefaultLadderRules()
	st, _ := r.Fade(crm.LadderState{Stage: crm.Satisfied, Score: 20000, Purchases: 1, UpdatedAt: start}, start) // as stored: FadesAt set
	for _, bc := range []struct {
		name  string
		ev    crm.Evidence
		moves int
	}{
		{"NoMove", crm.Evidence{Kind: crm.EvidenceExperience, At: at(1), Sentiment: crm.Positive, Resolved: true, Source: crm.KindInteraction}, 0},
		{"Move", crm.Evidence{Kind: crm.EvidenceExperience, At: at(1), Sentiment: crm.Negative, Transfers: 2, Source: crm.KindInteraction}, 1},
	} {
		b.Run(bc.name, func(b *testing.B) {
			moves := make([]crm.LadderMove, 0, 4)
			b.ReportAllocs()
			for range b.N {
				_, out, err := r.AppendApply(moves[:0], st, bc.ev)
				if err != nil || len(out) != bc.moves {
					b.Fatal(err, len(out))
				}
			}
		})
	}
}
