package corpus

// Definition returns the one-line definition of a technique (one of
// Techniques) or a frame (one of Frames), following the SemEval-2023 Task 3
// annotation guidelines, and false for any other label.
func Definition(label string) (string, bool) {
	if d := techniqueDefinition(label); d != "" {
		return d, true
	}
	if d := frameDefinition(label); d != "" {
		return d, true
	}
	return "", false
}

func techniqueDefinition(label string) string {
	switch label {
	// Attack on reputation
	case "Name_Calling-Labeling":
		return "Labelling the target with words the audience finds undesirable (or, to praise it, desirable), instead of arguing about it."
	case "Guilt_by_Association":
		return "Attacking the target by associating it with a group, person or concept the audience already views very negatively."
	case "Doubt":
		return "Questioning the credibility of someone or something (their character, competence or honesty) to undermine them."
	case "Appeal_to_Hypocrisy":
		return "Attacking the target's reputation by charging it with hypocrisy or inconsistency between its words and its deeds."
	case "Questioning_the_Reputation":
		return "Undermining the target's character and moral stature with strong negative claims, rather than addressing its arguments."
	// Justification
	case "Flag_Waving":
		return "Justifying or promoting an idea by appealing to pride in, or the interests of, a group such as a nation, religion or party."
	case "Appeal_to_Authority":
		return "Presenting a claim as true because an authority or expert is said to back it, without any other supporting evidence."
	case "Appeal_to_Popularity":
		return "Presenting a claim as true or an action as right because many people (\"everybody\") believe or do it."
	case "Appeal_to_Values":
		return "Presenting an idea as right by linking it to values the audience holds dear, such as tradition, religion, ethics or freedom."
	case "Appeal_to_Fear-Prejudice":
		return "Promoting or rejecting an idea by exploiting the audience's fear of it or of its alternative, or their prejudices."
	// Simplification
	case "Causal_Oversimplification":
		return "Assuming a single cause or reason for an issue that actually has several causes."
	case "False_Dilemma-No_Choice":
		return "Presenting two options as the only ones possible when more exist, or one option as the only choice."
	case "Consequential_Oversimplification":
		return "Claiming, without justification, that a first step will set off a chain of events with (usually dire) consequences: a slippery slope."
	// Distraction
	case "Straw_Man":
		return "Refuting a distorted or exaggerated version of an opponent's position as if it were the position itself."
	case "Red_Herring":
		return "Introducing irrelevant material to divert attention from the issue being discussed."
	case "Whataboutism":
		return "Deflecting criticism by pointing to an opponent's alleged wrongdoing on another matter instead of answering it."
	// Call
	case "Slogans":
		return "A brief, striking phrase, often with labelling or stereotyping, meant to act as an emotional call to action."
	case "Conversation_Killer":
		return "Words or phrases that discourage critical thought and further discussion of a topic (a thought-terminating cliché)."
	case "Appeal_to_Time":
		return "Arguing that the time has come to act, urging immediate action because it is now or never."
	// Manipulative wording
	case "Loaded_Language":
		return "Using words or phrases with strong emotional implications, positive or negative, to sway the audience."
	case "Obfuscation-Vagueness-Confusion":
		return "Using deliberately unclear or ambiguous words so that the audience may read into them what it wishes."
	case "Exaggeration-Minimisation":
		return "Representing something as better or worse than it really is, or downplaying its importance."
	case "Repetition":
		return "Repeating the same word, phrase, story or image over and over so that the audience comes to accept it."
	}
	return ""
}

func frameDefinition(label string) string {
	switch label {
	case "Economic":
		return "The costs, benefits or other financial implications of the issue, for individuals, businesses or the state."
	case "Capacity_and_resources":
		return "The availability or lack of physical, human or financial resources, and the capacity of existing systems to cope."
	case "Morality":
		return "Religious or ethical implications: what is right or wrong, duty, honour and responsibility."
	case "Fairness_and_equality":
		return "The balance or distribution of rights, responsibilities and resources, and equality or inequality in how rules are applied."
	case "Legality_Constitutionality_and_jurisprudence":
		return "The rights, freedoms and authority of individuals, companies and government under the constitution and the law, and court cases."
	case "Policy_prescription_and_evaluation":
		return "Particular policies proposed or in force to address the issue, and whether they will work or have worked."
	case "Crime_and_punishment":
		return "Violations of laws or policies and their consequences: enforcement, investigation, sentencing and punishment."
	case "Security_and_defense":
		return "Threats to the welfare of a person, community or nation, and the defence or protection against them."
	case "Health_and_safety":
		return "Health care, disease, sanitation, injury and public safety."
	case "Quality_of_life":
		return "The effects of the issue on people's wealth, mobility, daily routines, happiness and community life."
	case "Cultural_identity":
		return "The traditions, customs, language or values of a social group as they bear on the issue."
	case "Public_opinion":
		return "The attitudes and opinions of the general public: polls, protests, popular reactions."
	case "Political":
		return "Political considerations: parties, politicians, elections, lobbying and partisan manoeuvring."
	case "External_regulation_and_reputation":
		return "A country's or group's international reputation, foreign policy and relations with other states or bodies."
	}
	return ""
}
