-- Personal access tokens are stored as sessions of their own type.
ALTER TYPE session_type ADD VALUE 'pat' BEFORE 'cli';
