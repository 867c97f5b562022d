-- crmkit 0037: a ladder move references the evidence that caused it
-- instead of keeping a copy of it. The move keeps the evidence's ID, and
-- what says where the evidence came from without reading it: its kind
-- (evidence_kind, 0019; 'fading' and no ID for a move fading caused), the
-- record it was drawn from and its touchpoint, none of it personal. The
-- evidence itself stays in the evidence table, the one place its note is
-- kept and erased. The references of the moves stored before are read
-- from the copies they kept, which are then dropped.
ALTER TABLE {{table "ladder_moves"}} ADD COLUMN evidence_id uuid NOT NULL DEFAULT '00000000-0000-0000-0000-000000000000';
ALTER TABLE {{table "ladder_moves"}} ADD COLUMN evidence_source text NOT NULL DEFAULT '';
ALTER TABLE {{table "ladder_moves"}} ADD COLUMN evidence_source_id uuid NOT NULL DEFAULT '00000000-0000-0000-0000-000000000000';
ALTER TABLE {{table "ladder_moves"}} ADD COLUMN evidence_touchpoint text NOT NULL DEFAULT '';
UPDATE {{table "ladder_moves"}} SET
    evidence_id = CAST(COALESCE(NULLIF(CAST(evidence AS jsonb) ->> 'id', ''), '00000000-0000-0000-0000-000000000000') AS uuid),
    evidence_kind = COALESCE(CAST(evidence AS jsonb) ->> 'kind', ''),
    evidence_source = COALESCE(CAST(evidence AS jsonb) ->> 'source', ''),
    evidence_source_id = CAST(COALESCE(NULLIF(CAST(evidence AS jsonb) ->> 'source_id', ''), '00000000-0000-0000-0000-000000000000') AS uuid),
    evidence_touchpoint = COALESCE(CAST(evidence AS jsonb) ->> 'touchpoint', '');
ALTER TABLE {{table "ladder_moves"}} DROP COLUMN evidence;
