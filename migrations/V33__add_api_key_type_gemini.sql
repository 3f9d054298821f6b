ALTER TYPE api_key_type ADD VALUE 'gemini' BEFORE 'openai';
