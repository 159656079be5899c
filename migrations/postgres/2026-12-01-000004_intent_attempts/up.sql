-- An intent's goal (e.g. "create:<listing hash>", what its attempts all try to achieve) and
-- its attempt number towards that goal become columns instead of parts of intent_key
-- (which stays "<goal>:<attempt_number>"); revert_data keeps the contract error a
-- transaction would revert with (0x-hex ABI data), decoded by the service.
ALTER TABLE chain_tx_intents ADD COLUMN goal TEXT NOT NULL DEFAULT '';
ALTER TABLE chain_tx_intents ADD COLUMN attempt_number INTEGER NOT NULL DEFAULT 1;
ALTER TABLE chain_tx_intents ADD COLUMN revert_data TEXT;
-- Keys of the form "<goal>:<digits>" (create and cancel intents); others are their own goal.
UPDATE chain_tx_intents
SET goal = regexp_replace(intent_key, ':[0-9]+$', ''),
    attempt_number = CAST(substring(intent_key from ':([0-9]+)$') AS INTEGER)
WHERE kind IN ('create_auction', 'cancel_auction')
  AND intent_key ~ ':[0-9]+$';
UPDATE chain_tx_intents SET goal = intent_key WHERE goal = '';
CREATE UNIQUE INDEX chain_tx_intents_goal ON chain_tx_intents (goal, attempt_number);
