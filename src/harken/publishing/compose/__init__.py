"""The composer: one post, one variant per account, previews, media, first comments, threads."""
