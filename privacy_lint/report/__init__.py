"""The reviewer's report: the data inventory and its renderings."""
