-- An audit entry about someone other than its actor names them in `details`: `user_id` (a member
-- whose role changed, or who was removed) or `email` (an invitation). The data-access export
-- finds the entries about a person through these two indexes instead of reading the whole log,
-- which any signed-in person could otherwise make the server do at will.
CREATE INDEX audit_log_subject_user_idx ON audit_log ((details->>'user_id')) WHERE details ? 'user_id';
CREATE INDEX audit_log_subject_email_idx ON audit_log (lower(details->>'email')) WHERE details ? 'email';
