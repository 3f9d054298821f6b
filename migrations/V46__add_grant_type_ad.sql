ALTER TYPE grant_type ADD VALUE 'ad';
