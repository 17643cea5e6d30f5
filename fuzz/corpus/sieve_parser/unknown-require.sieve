require ["nonexistent", "vacation"];
vacation "away";
unknowncommand;
