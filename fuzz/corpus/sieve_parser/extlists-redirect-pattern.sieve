require "extlists";
redirect :list "tag:example.com,2026:pattern";
