"""The data-collection portal: institutions enter their data and evidence per SDG, reviewers assess it, and the
operator exports exactly what ``impactrank build`` reads. It has its own database and never touches a workspace."""
