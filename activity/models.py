"""Activity events, weekly scores and the do-ocracy policy: built in the activity issue."""
