"""The Slack face of okebot: a slack-bolt AsyncApp answering `/oke` over Socket Mode or HTTP."""
