-- interviewer.db as the code before sqlite-utils' migrations wrote it (history in `_migrations`), dumped
-- with sqlite3's iterdump. One active session whose `answered` (7) is not what m004 would count (1),
-- so a migration that ran again would show. Used by tests/test_store_db.py.
BEGIN TRANSACTION;
CREATE TABLE "_migrations" (
   "name" TEXT PRIMARY KEY,
   "applied_at" TEXT
);
INSERT INTO "_migrations" VALUES('m001_initial','2026-12-02T07:26:15.072+00:00');
INSERT INTO "_migrations" VALUES('m002_indexes_and_views','2026-12-02T07:26:15.073+00:00');
INSERT INTO "_migrations" VALUES('m003_session_owner','2026-12-02T07:26:15.073+00:00');
INSERT INTO "_migrations" VALUES('m004_live_answered','2026-12-02T07:26:15.073+00:00');
CREATE TABLE "answers" (
   "id" TEXT PRIMARY KEY,
   "turn_id" TEXT REFERENCES "turns"("id"),
   "session_id" TEXT REFERENCES "sessions"("id"),
   "followup_id" TEXT REFERENCES "followups"("id"),
   "kind" TEXT,
   "text" TEXT,
   "chars" INTEGER,
   "answered_at" TEXT,
   "status" TEXT,
   "score" REAL,
   "confidence" REAL,
   "flags" TEXT,
   "feedback" TEXT,
   "graded_at" TEXT,
   "grade_seconds" REAL,
   "model_id" TEXT,
   "prompt_version" TEXT,
   "rubric_version" TEXT,
   "grade" TEXT,
   "error" TEXT
);
INSERT INTO "answers" VALUES('s1:1:a0','s1:1','s1',NULL,'answer','Drift is when the data changes.',31,'2026-12-02T07:26:15.093+00:00','received',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL);
CREATE TABLE "category_mastery" (
   "category" TEXT PRIMARY KEY,
   "mastery" REAL,
   "answered" INTEGER,
   "last_score" REAL,
   "updated_at" TEXT
);
CREATE TABLE "followups" (
   "id" TEXT PRIMARY KEY,
   "turn_id" TEXT REFERENCES "turns"("id"),
   "session_id" TEXT REFERENCES "sessions"("id"),
   "number" INTEGER,
   "criterion_id" TEXT,
   "prompt" TEXT,
   "asked_at" TEXT,
   "status" TEXT
);
CREATE TABLE "sessions" (
   "id" TEXT PRIMARY KEY,
   "started_at" TEXT NOT NULL,
   "finished_at" TEXT,
   "status" TEXT NOT NULL DEFAULT 'active',
   "level" TEXT,
   "categories" TEXT,
   "n_questions" INTEGER,
   "max_followups" INTEGER,
   "seed" INTEGER,
   "model" TEXT,
   "config" TEXT,
   "answered" INTEGER,
   "score" REAL,
   "report" TEXT,
   "app_version" TEXT
, "owner" TEXT);
INSERT INTO "sessions" VALUES('s1','2026-12-02T07:26:15.085+00:00',NULL,'active',NULL,'MLOps',2,NULL,NULL,'local:smollm2-135m','{"questions": 2, "categories": ["MLOps"], "model": "local:smollm2-135m"}',7,NULL,NULL,'0.1.0',NULL);
CREATE TABLE "turns" (
   "id" TEXT PRIMARY KEY,
   "session_id" TEXT NOT NULL REFERENCES "sessions"("id"),
   "position" INTEGER,
   "question_id" TEXT NOT NULL,
   "category" TEXT,
   "difficulty" INTEGER,
   "rubric_version" TEXT,
   "prompt" TEXT,
   "asked_at" TEXT,
   "finished_at" TEXT,
   "status" TEXT,
   "score" REAL,
   "followups" INTEGER
);
INSERT INTO "turns" VALUES('s1:1','s1',1,'mlops-01','MLOps',2,'r1','What is drift?','2026-12-02T07:26:15.089+00:00',NULL,'asked',NULL,0);
CREATE TABLE "verdicts" (
   "id" TEXT PRIMARY KEY,
   "answer_id" TEXT REFERENCES "answers"("id"),
   "turn_id" TEXT REFERENCES "turns"("id"),
   "session_id" TEXT REFERENCES "sessions"("id"),
   "question_id" TEXT,
   "stage" TEXT,
   "criterion_id" TEXT,
   "verdict" TEXT,
   "score" REAL,
   "confidence" REAL,
   "weight" INTEGER,
   "core" INTEGER,
   "evidence" TEXT,
   "signals" TEXT
);
CREATE INDEX "idx_turns_session_id_position"
    ON "turns" ("session_id", "position");
CREATE INDEX "idx_turns_question_id"
    ON "turns" ("question_id");
CREATE INDEX "idx_answers_turn_id"
    ON "answers" ("turn_id");
CREATE INDEX "idx_verdicts_answer_id"
    ON "verdicts" ("answer_id");
CREATE INDEX "idx_followups_turn_id"
    ON "followups" ("turn_id");
CREATE VIEW "question_scores" AS 
        select turns.session_id, turns.position, turns.question_id, turns.category, turns.difficulty,
               turns.status, turns.score, turns.followups, sessions.level, sessions.model, turns.finished_at
        from turns join sessions on sessions.id = turns.session_id
        where turns.finished_at is not null;
COMMIT;
