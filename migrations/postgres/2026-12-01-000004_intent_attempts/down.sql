DROP INDEX chain_tx_intents_goal;
ALTER TABLE chain_tx_intents DROP COLUMN revert_data;
ALTER TABLE chain_tx_intents DROP COLUMN attempt_number;
ALTER TABLE chain_tx_intents DROP COLUMN goal;
