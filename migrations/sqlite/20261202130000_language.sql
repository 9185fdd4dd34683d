-- The language a person reads (SQLite dialect). Keep in step with ../postgres/ of the same version.
-- NULL: not chosen — notifications are in Chinese, API errors follow the request's Accept-Language.
ALTER TABLE users ADD COLUMN language TEXT CHECK (language IS NULL OR language IN ('zh-CN', 'en'));
