DROP INDEX t_extract_idx;
