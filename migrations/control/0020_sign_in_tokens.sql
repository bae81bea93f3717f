-- The single-use token a sign-up answers with, which signs the new organisation's owner in once
-- the organisation is active (`POST /v1/auth/sign-in-token`, valid 15 minutes).
ALTER TABLE account_tokens DROP CONSTRAINT account_tokens_purpose_check;
ALTER TABLE account_tokens
    ADD CONSTRAINT account_tokens_purpose_check CHECK (purpose IN ('password_reset', 'email_verification', 'sign_in'));
